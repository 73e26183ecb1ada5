// Small helpers the benchmark scripts share: finding a command, the rdkbench load generator, and
// a free loopback port.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The command's path on PATH, or null. */
export function which (cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

/** rdkbench from $RDKBENCH, /tmp/rdkbench, .bench/rdkbench or PATH; null when none is built. */
export function rdkbenchPath () {
  if (process.env.RDKBENCH) return process.env.RDKBENCH
  for (const p of ['/tmp/rdkbench', join(root, '.bench', 'rdkbench')]) if (existsSync(p)) return p
  return which('rdkbench')
}

/** A port free on 127.0.0.1 right now. */
export async function freePort () {
  const srv = createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address()
  srv.close()
  await once(srv, 'close')
  return port
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc; NaN once it is gone. */
export function cpuSeconds (pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch (err) {
    if (err.code === 'ENOENT') return NaN
    throw err
  }
}
