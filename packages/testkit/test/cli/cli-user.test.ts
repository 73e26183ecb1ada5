// brook user create|list|delete: a SCRAM user brook creates can log in (with brook, over
// SASL_PLAINTEXT), is listed with its mechanism, and cannot log in once deleted.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTestCerts, startSecureTestBroker, tempDir, type SecureTestBroker, type TempDir, type TestCerts } from '@brook/testkit'
import { brook, brookJson, brookOk } from './brook.js'

let certs: TestCerts
let broker: SecureTestBroker
let dir: TempDir

before(async () => {
  certs = await makeTestCerts()
  broker = await startSecureTestBroker(certs)
  dir = await tempDir('brook-cli-user-')
})
after(async () => {
  await broker.close()
  await certs.cleanup()
  await dir.cleanup()
})

test('a SCRAM user created with brook logs in, is listed, and is refused once deleted', { timeout: 100_000 }, async () => {
  const admin = ['-b', broker.bootstrapOf('PLAINTEXT')]
  await brookOk(['user', 'create', 'carol', '--mechanism', 'SCRAM-SHA-512', ...admin], { env: { BROOK_USER_PASSWORD: 'carol-secret' } })
  const listed = await brookJson<Array<{ user: string, mechanism: string, iterations: number }>>(['user', 'list', 'carol', ...admin])
  assert.deepEqual(listed, [{ user: 'carol', mechanism: 'SCRAM-SHA-512', iterations: 4096 }])

  const file = join(dir.path, 'carol.properties')
  await writeFile(file, [`bootstrap.servers=${broker.bootstrapOf('SASL_PLAINTEXT')}`, 'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=SCRAM-SHA-512', 'sasl.username=carol', 'sasl.password=carol-secret'].join('\n') + '\n')
  await brookOk(['cluster', 'info', '--command-config', file])

  await brookOk(['user', 'delete', 'carol', '--mechanism', 'SCRAM-SHA-512', ...admin])
  assert.deepEqual((await brookJson<unknown[]>(['user', 'list', ...admin])).filter((u) => (u as { user: string }).user === 'carol'), [])
  const refused = await brook(['cluster', 'info', '--command-config', file])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /^brook: SASL_AUTHENTICATION_FAILED \(58\)/)

  const noPassword = await brook(['user', 'create', 'dave', ...admin])
  assert.equal(noPassword.code, 2)
  assert.match(noPassword.stderr, /BROOK_USER_PASSWORD/)
})
