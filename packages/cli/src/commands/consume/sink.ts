// stdout for consumed records: one write per batch, waiting for the pipe to drain. A reader that
// went away (`| head`) ends the consume quietly (main.ts keeps EPIPE from being an error).
import { isStdoutClosed } from '../../output/output.js'

export class StdoutSink {
  get closed (): boolean { return isStdoutClosed() }

  async write (chunks: Buffer[]): Promise<void> {
    if (this.closed || chunks.length === 0) return
    if (!process.stdout.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))) {
      await new Promise<void>((resolve) => {
        const finish = (): void => { process.stdout.off('drain', finish); process.stdout.off('close', finish); resolve() }
        process.stdout.once('drain', finish)
        process.stdout.once('close', finish)
      })
    }
  }
}
