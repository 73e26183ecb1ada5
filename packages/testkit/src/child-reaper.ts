// Child processes a test starts (brokers, etcd) must not outlive it on a shared machine. The test
// runner ends a file that runs past its timeout with SIGTERM, which skips 'exit' handlers; so the
// reaper kills every registered child on exit and on SIGTERM, SIGINT and SIGHUP, then lets the
// signal take its default course.
import type { ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()
let installed = false

function killAll (): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}

function install (): void {
  if (installed) return
  installed = true
  process.once('exit', killAll)
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll()
      // The listener is gone now: raising the signal again ends the process as it would have.
      process.kill(process.pid, signal)
    })
  }
}

/** Kills `child` when this process exits or is signalled, unless it has exited by then. */
export function reapWithThisProcess (child: ChildProcess): void {
  install()
  children.add(child)
  child.once('exit', () => { children.delete(child) })
}
