// Copies one partition directory's files into a new directory, each file synced, then the new
// directory itself: once it returns, the copy survives a power cut. Used to move a partition to
// another log dir (LogManager.moveLog), where a rename cannot cross file systems.
import type { FileSystem } from '../fs/file-system.js'

const CHUNK = 1024 * 1024

export async function copyDir (fs: FileSystem, from: string, to: string): Promise<void> {
  await fs.mkdir(to)
  for (const name of await fs.readdir(from)) {
    if ((await fs.stat(`${from}/${name}`)).isDirectory) continue
    await copyFile(fs, `${from}/${name}`, `${to}/${name}`)
  }
  await fs.syncDir(to)
}

async function copyFile (fs: FileSystem, from: string, to: string): Promise<void> {
  const source = await fs.open(from, 'r')
  try {
    const target = await fs.open(to, 'wx+')
    try {
      const buffer = Buffer.allocUnsafe(CHUNK)
      for (let position = 0; ;) {
        const read = await source.read(buffer, 0, CHUNK, position)
        if (read === 0) break
        await target.write(buffer.subarray(0, read), position)
        position += read
      }
      await target.sync()
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
