// The console's bundle is all `/` serves: each of its files byte for byte, and nothing outside
// it however the path is spelled (dot segments plain and encoded, backslashes, NUL bytes, double
// slashes, absolute paths), sent raw so that no client normalizes them first.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startHttpBroker, type HttpBroker } from '../http/harness.js'

const BUNDLE = join(fileURLToPath(import.meta.resolve('@brook/console/package.json')), '..', 'dist-web')

interface Raw { status: number, type: string, body: Buffer }

/** A GET with the path exactly as given (fetch and URL would resolve `..` before sending). */
async function rawGet (base: string, path: string): Promise<Raw> {
  const { hostname, port } = new URL(base)
  return await new Promise<Raw>((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)))
    req.end()
  })
}

let h: HttpBroker
before(async () => { h = await startHttpBroker() })
after(async () => { await h?.close() })

test('/ is the console and every bundle file is served as built', { timeout: 60_000 }, async () => {
  const index = await rawGet(h.url, '/')
  assert.equal(index.status, 200)
  assert.match(index.type, /^text\/html/)
  assert.deepEqual(index.body, readFileSync(join(BUNDLE, 'index.html')))
  assert.match(index.body.toString(), /<script type="module" src="app.js">/)
  const files = readdirSync(BUNDLE)
  assert.ok(files.includes('app.js') && files.includes('app.css'), `bundle files: ${files.join(', ')}`)
  for (const name of files) {
    const got = await rawGet(h.url, `/${name}`)
    assert.equal(got.status, 200, name)
    assert.deepEqual(got.body, readFileSync(join(BUNDLE, name)), name)
  }
  assert.match((await rawGet(h.url, '/app.js')).type, /^text\/javascript/)
  assert.match((await rawGet(h.url, '/app.css')).type, /^text\/css/)
})

test('nothing outside the bundle is reachable (path traversal)', { timeout: 60_000 }, async () => {
  // Files that exist next to or above the bundle: the console package's own, the repository's.
  const secrets = [readFileSync(join(BUNDLE, '..', 'package.json')), readFileSync(join(BUNDLE, '..', 'build.mjs'))]
  const paths = [
    '/../package.json', '/../build.mjs', '/..%2fpackage.json', '/%2e%2e/package.json', '/%2e%2e%2fpackage.json',
    '/.%2e/package.json', '/%2E%2E/%2E%2E/package.json', '/app.js/../../package.json', '/app.js/..%2f..%2fpackage.json',
    '/..\\package.json', '/..%5cpackage.json', '/%5c..%5cpackage.json', '/app.js%00.html', '/index.html%00',
    '//etc/passwd', '/etc/passwd', '/%2fetc%2fpasswd', '/../../../../../../etc/passwd', '/..%252fpackage.json',
    '/dist-web/app.js', '/src/main.tsx', '/node_modules/preact/package.json', '/./app.js/..', '/..', '/.', '/%2e'
  ]
  for (const path of paths) {
    const got = await rawGet(h.url, path)
    assert.notEqual(got.status, 200, `${path} answered 200`)
    assert.ok(got.status >= 400 && got.status < 500, `${path}: ${got.status}`)
    for (const secret of secrets) assert.ok(!got.body.includes(secret.subarray(0, 64)), `${path} served a file outside the bundle`)
    assert.doesNotMatch(got.body.toString(), /root:x:0:0/, `${path} served /etc/passwd`)
  }
  // The server still serves after all of them.
  assert.equal((await rawGet(h.url, '/healthz')).status, 200)
  assert.equal((await rawGet(h.url, '/')).status, 200)
})
