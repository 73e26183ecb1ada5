// Test certificates made with the openssl command line at test time: a CA, a server certificate
// for localhost / 127.0.0.1 signed by it, a client certificate signed by it, and a client
// certificate from a second CA the broker does not trust. All PEM, keys unencrypted except
// `serverKeyEncrypted` (password `serverKeyPassword`).
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { assertSucceeded, runCommand } from './run-command.js'
import { tempDir } from './temp-dir.js'

export interface TestCerts {
  dir: string
  caCert: string
  serverCert: string
  serverKey: string
  /** The server key encrypted with `serverKeyPassword`. */
  serverKeyEncrypted: string
  serverKeyPassword: string
  /** Server certificate chain and key in one file (ssl.keystore.type=PEM, ssl.keystore.location). */
  serverKeystore: string
  clientCert: string
  clientKey: string
  /** The client certificate's subject as Kafka prints it (RFC 2253). */
  clientDn: string
  /** A client certificate signed by a CA the broker does not trust. */
  untrustedCert: string
  untrustedKey: string
  cleanup: () => Promise<void>
}

async function openssl (cwd: string, args: string[]): Promise<void> {
  assertSucceeded(`openssl ${args[0] ?? ''}`, await runCommand('openssl', args, { cwd, timeoutMs: 30_000 }))
}

async function issue (cwd: string, name: string, subject: string, ca: string, extensions: string): Promise<void> {
  await openssl(cwd, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject])
  await openssl(cwd, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-sha256', '-extfile', extensions])
}

export async function makeTestCerts (): Promise<TestCerts> {
  const dir = await tempDir('brook-certs-')
  const cwd = dir.path
  try {
    await writeFile(join(cwd, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    await writeFile(join(cwd, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
    for (const ca of ['ca', 'other-ca']) {
      await openssl(cwd, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`,
        '-days', '2', '-subj', `/CN=Brook Test ${ca}`])
    }
    await issue(cwd, 'server', '/O=Brook/CN=localhost', 'ca', 'server.ext')
    await issue(cwd, 'client', '/C=NL/O=Brook Tests/OU=Clients/CN=alice', 'ca', 'client.ext')
    await issue(cwd, 'untrusted', '/O=Elsewhere/CN=mallory', 'other-ca', 'client.ext')
    await openssl(cwd, ['pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:key-secret', '-out', 'server-encrypted.key'])
    const keystore = join(cwd, 'server-keystore.pem')
    await writeFile(keystore, (await readFile(join(cwd, 'server.crt'), 'utf8')) + (await readFile(join(cwd, 'server.key'), 'utf8')))
    const at = (f: string): string => join(cwd, f)
    return {
      dir: cwd,
      caCert: at('ca.crt'),
      serverCert: at('server.crt'),
      serverKey: at('server.key'),
      serverKeyEncrypted: at('server-encrypted.key'),
      serverKeyPassword: 'key-secret',
      serverKeystore: keystore,
      clientCert: at('client.crt'),
      clientKey: at('client.key'),
      clientDn: 'CN=alice,OU=Clients,O=Brook Tests,C=NL',
      untrustedCert: at('untrusted.crt'),
      untrustedKey: at('untrusted.key'),
      cleanup: dir.cleanup
    }
  } catch (err) {
    await dir.cleanup()
    throw err
  }
}

/**
 * Another server keystore (certificate and key in one PEM file) signed by the same CA, with a
 * fresh key: what an operator rolls a listener's certificate to. By default for the same subject
 * (O=Brook, CN=localhost) and names (localhost, 127.0.0.1); `subject` and `altNames` (openssl's
 * subjectAltName syntax) make one that names another identity.
 */
export async function issueServerKeystore (certs: TestCerts, name: string, identity: { subject?: string, altNames?: string } = {}): Promise<string> {
  const cwd = certs.dir
  let extensions = 'server.ext'
  if (identity.altNames !== undefined) {
    extensions = `${name}.ext`
    await writeFile(join(cwd, extensions), `subjectAltName=${identity.altNames}\nextendedKeyUsage=serverAuth\n`)
  }
  await issue(cwd, name, identity.subject ?? '/O=Brook/CN=localhost', 'ca', extensions)
  const keystore = join(cwd, `${name}-keystore.pem`)
  await writeFile(keystore, (await readFile(join(cwd, `${name}.crt`), 'utf8')) + (await readFile(join(cwd, `${name}.key`), 'utf8')))
  return keystore
}
