// Small state files replaced atomically: write `<name>.tmp`, fsync it, rename over `<name>`,
// fsync the directory. Recovery rule: a reader only ever sees the old or the new file; a
// leftover `.tmp` is an unfinished write and is ignored (overwritten by the next write).
import { open, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'

export async function writeFileAtomic (path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`
  const file = await open(tmp, 'w')
  try {
    await file.writeFile(data)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(tmp, path)
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/** The file's text, or null when it does not exist. */
export async function readFileIfExists (path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}
