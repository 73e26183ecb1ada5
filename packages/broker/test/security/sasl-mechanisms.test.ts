// SASL mechanism servers against published vectors: SCRAM-SHA-256 with RFC 7677's exchange,
// SCRAM-SHA-1's RFC 5802 shape reused for SHA-512 with a client computed here, PLAIN, the JAAS
// line parser and certificate-principal mapping rules.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { ScramServer } from '../../src/security/sasl/scram.js'
import { PlainServer } from '../../src/security/sasl/plain.js'
import { SaslFailure } from '../../src/security/sasl/mechanism.js'
import { credentialFromSalted, saltedPassword } from '../../src/security/sasl/scram-crypto.js'
import { parseJaas, plainUsers } from '../../src/security/sasl/jaas.js'
import { mapDistinguishedName, parseMappingRules } from '../../src/security/principal.js'

test('SCRAM-SHA-256 follows RFC 7677 section 3 byte for byte', { timeout: 10_000 }, () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')
  const credential = credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', 'pencil', salt, 4096), salt, 4096)
  const server = new ScramServer('SCRAM-SHA-256', (user) => user === 'user' ? credential : null, () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0')
  const first = server.evaluate(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'))
  assert.equal(first.response.toString(), 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')
  assert.equal(first.user, undefined)
  const final = server.evaluate(Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='))
  assert.equal(final.response.toString(), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')
  assert.equal(final.user, 'user')
})

function clientProof (password: string, salt: Buffer, iterations: number, authMessage: string): string {
  const salted = pbkdf2Sync(password, salt, iterations, 64, 'sha512')
  const clientKey = createHmac('sha512', salted).update('Client Key').digest()
  const signature = createHmac('sha512', createHash('sha512').update(clientKey).digest()).update(authMessage).digest()
  return Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number))).toString('base64')
}

test('SCRAM-SHA-512: a right proof passes, a wrong one, a replayed final message and a bad nonce fail', { timeout: 10_000 }, () => {
  const salt = Buffer.from('salt-of-sixteen!')
  const credential = credentialFromSalted('SCRAM-SHA-512', saltedPassword('SCRAM-SHA-512', 'secret', salt, 4096), salt, 4096)
  const lookup = (user: string): typeof credential | null => user === 'bob' ? credential : null
  const exchange = (password: string, tamperNonce = false): { server: ScramServer, final: string } => {
    const server = new ScramServer('SCRAM-SHA-512', lookup)
    const bare = 'n=bob,r=abc123'
    const serverFirst = server.evaluate(Buffer.from(`n,,${bare}`)).response.toString()
    const nonce = /r=([^,]+)/.exec(serverFirst)?.[1] ?? ''
    const withoutProof = `c=biws,r=${tamperNonce ? `${nonce}x` : nonce}`
    return { server, final: `${withoutProof},p=${clientProof(password, salt, 4096, `${bare},${serverFirst},${withoutProof}`)}` }
  }
  const good = exchange('secret')
  assert.equal(good.server.evaluate(Buffer.from(good.final)).user, 'bob')
  assert.throws(() => good.server.evaluate(Buffer.from(good.final)), SaslFailure, 'a replay on the same exchange')
  const replayed = exchange('secret')
  // The final message of one exchange does not fit another's nonce.
  assert.throws(() => replayed.server.evaluate(Buffer.from(good.final)), SaslFailure)
  const wrong = exchange('not-secret')
  assert.throws(() => wrong.server.evaluate(Buffer.from(wrong.final)), /Invalid client credentials/)
  const tampered = exchange('secret', true)
  assert.throws(() => tampered.server.evaluate(Buffer.from(tampered.final)), /Invalid client nonce/)
  assert.throws(() => new ScramServer('SCRAM-SHA-512', lookup).evaluate(Buffer.from('n,,n=eve,r=x')), /Invalid user credentials/)
  for (const garbage of ['', 'hello', 'p=tls-unique,,n=bob,r=x', 'n,,r=x', 'n,,n=a=b,r=x', '\u0000\u0001']) {
    assert.throws(() => new ScramServer('SCRAM-SHA-512', lookup).evaluate(Buffer.from(garbage)), SaslFailure, JSON.stringify(garbage))
  }
})

test('PLAIN: users from the JAAS line; wrong password, unknown user, other authzid and garbage refused', { timeout: 10_000 }, () => {
  const jaas = parseJaas('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a\\"b" user_admin="a\\"b" user_alice = alice-secret ;')
  assert.equal(jaas.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule')
  assert.equal(jaas.flag, 'required')
  const users = plainUsers(jaas)
  assert.deepEqual([...users], [['admin', 'a"b'], ['alice', 'alice-secret']])
  const server = (): PlainServer => new PlainServer(users)
  assert.equal(server().evaluate(Buffer.from('\u0000alice\u0000alice-secret')).user, 'alice')
  assert.equal(server().evaluate(Buffer.from('alice\u0000alice\u0000alice-secret')).user, 'alice')
  assert.throws(() => server().evaluate(Buffer.from('\u0000alice\u0000nope')), /Invalid username or password/)
  assert.throws(() => server().evaluate(Buffer.from('\u0000mallory\u0000alice-secret')), /Invalid username or password/)
  assert.throws(() => server().evaluate(Buffer.from('admin\u0000alice\u0000alice-secret')), /authorization id/)
  assert.throws(() => server().evaluate(Buffer.from('garbage')), SaslFailure)
  assert.throws(() => parseJaas('PlainLoginModule required user_a="x"'), /semicolon/)
  assert.throws(() => parseJaas('user_a="secret-value";'), (err: Error) => !err.message.includes('secret-value'))
})

test('ssl.principal.mapping.rules map a distinguished name as Kafka does', { timeout: 10_000 }, () => {
  const dn = 'CN=alice,OU=Clients,O=Brook Tests,C=NL'
  assert.equal(mapDistinguishedName(dn, parseMappingRules('DEFAULT')), dn)
  assert.equal(mapDistinguishedName(dn, parseMappingRules('RULE:^CN=(.*?),OU=Clients.*$/$1/U, DEFAULT')), 'ALICE')
  assert.equal(mapDistinguishedName('CN=bob,O=Other', parseMappingRules('RULE:^CN=(.*?),OU=Clients.*$/$1/, DEFAULT')), 'CN=bob,O=Other')
  assert.equal(mapDistinguishedName(dn, parseMappingRules('RULE:^CN=([a-z]+),.*$/$1@example.com/L')), 'alice@example.com')
  assert.throws(() => mapDistinguishedName('O=x', parseMappingRules('RULE:^CN=(.*)$/$1/')), /no rule/)
  assert.throws(() => parseMappingRules('RULE:broken'), /Invalid rule/)
})
