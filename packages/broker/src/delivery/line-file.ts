// Append-only files of text lines on the storage FileSystem (node's or the in-memory one of
// tests): appended in one write per call, read back in fixed-size chunks so that a large file
// never sits in memory whole. A line cut short by a crash is the file's last, and readers skip it.
import { StringDecoder } from 'node:string_decoder'
import type { FileHandle, FileSystem } from '@brook/storage'

const READ_CHUNK = 1 << 20

export class LineFile {
  #size: number
  private constructor (private readonly fh: FileHandle, size: number) {
    this.#size = size
  }

  /** Opens or creates; `created` says which (the caller then makes the directory entry durable). */
  static async open (fs: FileSystem, path: string): Promise<LineFile & { created: boolean }> {
    const created = !(await fs.exists(path))
    const fh = await fs.open(path, created ? 'w+' : 'r+')
    let size = await fh.size()
    // A torn line (no newline at its end) would glue onto the next append: cut it off.
    if (size > 0) {
      const last = Buffer.alloc(1)
      await fh.read(last, 0, 1, size - 1)
      if (last[0] !== 0x0a) {
        const tail = await lastNewline(fh, size)
        await fh.truncate(tail)
        size = tail
      }
    }
    return Object.assign(new LineFile(fh, size), { created })
  }

  async append (lines: readonly string[], durable: boolean): Promise<void> {
    if (lines.length === 0) return
    const buf = Buffer.from(lines.join('\n') + '\n', 'utf8')
    const at = this.#size
    this.#size += buf.length
    await this.fh.write(buf, at)
    if (durable) await this.fh.datasync()
  }

  async sync (): Promise<void> {
    await this.fh.datasync()
  }

  async close (): Promise<void> {
    await this.fh.close()
  }
}

/** One past the last newline before `size` (0 when none). */
async function lastNewline (fh: FileHandle, size: number): Promise<number> {
  let end = size
  const buf = Buffer.alloc(Math.min(READ_CHUNK, size))
  while (end > 0) {
    const start = Math.max(0, end - buf.length)
    const n = await fh.read(buf, 0, end - start, start)
    const i = buf.subarray(0, n).lastIndexOf(0x0a)
    if (i >= 0) return start + i + 1
    end = start
  }
  return 0
}

/** Calls `fn` for each complete line of the file (none when it does not exist). */
export async function forEachLine (fs: FileSystem, path: string, fn: (line: string) => void): Promise<void> {
  if (!(await fs.exists(path))) return
  const fh = await fs.open(path, 'r')
  try {
    const buf = Buffer.alloc(READ_CHUNK)
    let carry = ''
    const decoder = new StringDecoder('utf8')
    for (let pos = 0; ;) {
      const n = await fh.read(buf, 0, buf.length, pos)
      if (n === 0) break
      pos += n
      const text = carry + decoder.write(buf.subarray(0, n))
      const lines = text.split('\n')
      carry = lines.pop() ?? ''
      for (const line of lines) if (line !== '') fn(line)
    }
    // `carry` is a torn last line: never acknowledged, skipped.
  } finally {
    await fh.close()
  }
}
