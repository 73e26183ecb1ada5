#!/usr/bin/env node
// The `brook` command. Compiled sources live in ../dist; `npm install` builds them.
import { main } from '../dist/src/main.js'

main(process.argv.slice(2)).then((code) => {
  if (typeof code === 'number') process.exitCode = code
}, (err) => {
  console.error(err instanceof Error ? err.stack : err)
  process.exitCode = 1
})
