// The progress line of a long produce: records sent and the rate, on stderr, only when stderr is
// a terminal (piped or redirected, nothing is drawn).
import cliProgress from 'cli-progress'

export interface Progress {
  update: (records: number, bytesRead: number) => void
  stop: () => void
}

const none: Progress = { update: () => {}, stop: () => {} }

/** `totalBytes`: the input file's size, for a bar; null for stdin (a counter and rate only). */
export function progressFor (enabled: boolean, totalBytes: number | null): Progress {
  if (!enabled || process.stderr.isTTY !== true) return none
  const started = Date.now()
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: totalBytes === null
      ? 'produced {records} records | {rate} records/s | {elapsed}s'
      : '[{bar}] {percentage}% | produced {records} records | {rate} records/s | {elapsed}s',
    hideCursor: true,
    clearOnComplete: false,
    fps: 5
  })
  bar.start(totalBytes ?? 1, 0, { records: 0, rate: 0, elapsed: 0 })
  return {
    update (records, bytesRead) {
      const seconds = (Date.now() - started) / 1000
      bar.update(totalBytes === null ? 0 : bytesRead, { records, rate: seconds > 0 ? Math.round(records / seconds) : 0, elapsed: seconds.toFixed(1) })
    },
    stop () { bar.stop() }
  }
}
