// The SCRAM client against RFC 7677's published SHA-256 conversation (user "user", password
// "pencil"), and its refusals of a server that cannot be trusted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ScramClient, ScramError } from '@brook/client'

const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO'
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'

test('RFC 7677 SCRAM-SHA-256 example: same client messages, server signature accepted', { timeout: 10_000 }, () => {
  const scram = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE)
  assert.equal(scram.next(null)?.toString(), `n,,n=user,r=${CLIENT_NONCE}`)
  assert.equal(scram.next(Buffer.from(SERVER_FIRST))?.toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
  assert.equal(scram.next(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), null)
})

test('a wrong server signature, a server error, a foreign nonce and too few iterations are refused', { timeout: 10_000 }, () => {
  const forged = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE)
  forged.next(null)
  forged.next(Buffer.from(SERVER_FIRST))
  assert.throws(() => forged.next(Buffer.from('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')), ScramError)

  const refused = new ScramClient('SCRAM-SHA-512', 'user', 'pencil', CLIENT_NONCE)
  refused.next(null)
  refused.next(Buffer.from(SERVER_FIRST))
  assert.throws(() => refused.next(Buffer.from('e=invalid-proof')), /invalid-proof/)

  const foreign = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE)
  foreign.next(null)
  assert.throws(() => foreign.next(Buffer.from('r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')), /nonce/)

  const weak = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE)
  weak.next(null)
  assert.throws(() => weak.next(Buffer.from(`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`)), /iterations/)
})

test('user names with "," and "=" are escaped as RFC 5802 says', { timeout: 10_000 }, () => {
  const scram = new ScramClient('SCRAM-SHA-256', 'a,b=c', 'pw', 'nonce')
  assert.equal(scram.next(null)?.toString(), 'n,,n=a=2Cb=3Dc,r=nonce')
})
