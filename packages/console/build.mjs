// Bundles the console's front-end (src/main.tsx and its CSS, preact and uPlot included) into
// dist-web/, which @brook/http serves at `/`. No CDN: the bundle is everything the page loads.
// Run by the root build after tsc (which type-checks src/); takes well under a second.
import { build } from 'esbuild'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'dist-web')
await rm(out, { recursive: true, force: true })
await mkdir(out, { recursive: true })
await build({
  entryPoints: [join(here, 'src/main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning'
})
await copyFile(join(here, 'src/index.html'), join(out, 'index.html'))
await copyFile(join(here, 'src/favicon.svg'), join(out, 'favicon.svg'))
