// The console's front-end bundle (the @brook/console package's dist-web folder), served at `/`.
// Every file is read into memory once, when the app is built, and served by exact name from that
// table: a request path is a key, never a path on disk, so nothing outside the bundle can be
// reached however the path is spelled (../, encoded dots or slashes, backslashes, NUL bytes).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { Logger } from '@brook/common'

interface BundleFile { body: Buffer, type: string }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json'
}

/** Where the built bundle is: beside the @brook/console package's package.json (null: not installed). */
export function consoleBundleDir (logger: Logger): string | null {
  try {
    return join(dirname(fileURLToPath(import.meta.resolve('@brook/console/package.json'))), 'dist-web')
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'the web console package is not installed: / serves no console')
    return null
  }
}

/** The bundle's files by URL path (`/app.js`), `/` being index.html; empty when it is not built. */
export function loadBundle (dir: string | null, logger: Logger): Map<string, BundleFile> {
  const files = new Map<string, BundleFile>()
  if (dir === null) return files
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile()) {
        const url = '/' + relative(dir, full).split(sep).join('/')
        files.set(url, { body: readFileSync(full), type: TYPES[extname(entry.name)] ?? 'application/octet-stream' })
      }
    }
  }
  try {
    if (statSync(dir).isDirectory()) walk(dir)
  } catch (err) {
    logger.warn({ dir, err: (err as Error).message }, 'the web console is not built (npm run build): / serves no console')
    return files
  }
  const index = files.get('/index.html')
  if (index !== undefined) files.set('/', index)
  return files
}

/**
 * Routes GET `/` and every bundle file. The bundle's names are fixed at build time, so each is
 * its own route; anything else falls to the API's 404.
 */
export function registerBundle (app: FastifyInstance, files: ReadonlyMap<string, BundleFile>): void {
  for (const [url, file] of files) {
    app.get(url, async (_request, reply) => {
      // index.html names the hashed-free bundle files: never cache it, revalidate the rest.
      void reply.header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
        .type(file.type)
      return file.body
    })
  }
}
