// `brook console`: the web console's process, which is the HTTP API's (`brook http`) under its
// own name and default address; the console's pages are served by the same server.
import type { Command } from 'commander'
import { registerHttp } from './http.js'

export function registerConsole (program: Command, setExitCode: (code: number) => void): void {
  registerHttp(program, setExitCode, {
    name: 'console',
    description: 'Serve the web console and the HTTP API for a Kafka-compatible cluster',
    defaultListeners: 'http://127.0.0.1:8080',
    examples: ['brook console -b 127.0.0.1:9092', 'brook console -b kafka1:9092 --listeners http://0.0.0.0:8080']
  })
}
