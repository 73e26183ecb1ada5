// A broker with one listener per security protocol, for the security tests:
//   PLAINTEXT       admin access (creating SCRAM users)
//   SSL             TLS, client certificate required
//   SASL_PLAINTEXT  PLAIN (users from the JAAS line), SCRAM-SHA-256, SCRAM-SHA-512
//   SASL_SSL        the same over TLS (no client certificate)
// and the users PLAIN knows (alice, bob) plus SCRAM users made through AlterUserScramCredentials.
import { after, before } from 'node:test'
import type { Logger } from '@brook/common'
import { startTestBroker, type TestBroker } from './in-process.js'
import { makeTestCerts, type TestCerts } from './certs.js'
import { upsertScramUsers } from './scram-admin.js'

export const PLAIN_USERS = { alice: 'alice-secret', bob: 'bob-secret' } as const
export const SCRAM_USERS = { scram256: 'scram-256-secret', scram512: 'scram-512-secret' } as const

export interface SecureTestBroker extends TestBroker {
  /** host:port of the named listener. */
  bootstrapOf: (listener: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL') => string
}

export function secureBrokerConfig (certs: TestCerts): Record<string, string> {
  return {
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
    'listener.name.ssl.ssl.client.auth': 'required',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': plainJaas(),
    'listener.name.sasl_ssl.plain.sasl.jaas.config': plainJaas(),
    'connection.failed.authentication.delay.ms': '20'
  }
}

function plainJaas (): string {
  const users = Object.entries(PLAIN_USERS).map(([name, password]) => `user_${name}="${password}"`).join(' ')
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret" ${users};`
}

export async function startSecureTestBroker (certs: TestCerts, config: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<SecureTestBroker> {
  const broker = await startTestBroker({ ...secureBrokerConfig(certs), ...config }, options)
  const bootstrapOf: SecureTestBroker['bootstrapOf'] = (name) => {
    const listener = broker.listeners.find((l) => l.name === name)
    if (listener === undefined) throw new Error(`no listener ${name}`)
    return `127.0.0.1:${listener.port}`
  }
  try {
    const results = await upsertScramUsers(bootstrapOf('PLAINTEXT'), [
      { name: 'scram256', password: SCRAM_USERS.scram256, mechanism: 'SCRAM-SHA-256' },
      { name: 'scram512', password: SCRAM_USERS.scram512, mechanism: 'SCRAM-SHA-512' }
    ])
    const failed = results.filter((r) => r.errorCode !== 0)
    if (failed.length > 0) throw new Error(`creating SCRAM users failed: ${JSON.stringify(failed)}`)
  } catch (err) {
    await broker.close()
    throw err
  }
  return { ...broker, bootstrapOf }
}

/**
 * For a test file: fresh certificates and a secure broker started before its tests and removed
 * after them. Read `env.certs` and `env.broker` inside the tests.
 */
export function secureBrokerForFile (config: Record<string, string> = {}): { readonly certs: TestCerts, readonly broker: SecureTestBroker } {
  let certs: TestCerts | undefined
  let broker: SecureTestBroker | undefined
  before(async () => {
    certs = await makeTestCerts()
    broker = await startSecureTestBroker(certs, config)
  })
  after(async () => {
    await broker?.close()
    await certs?.cleanup()
  })
  return {
    get certs (): TestCerts {
      if (certs === undefined) throw new Error('the certificates are made before the first test')
      return certs
    },
    get broker (): SecureTestBroker {
      if (broker === undefined) throw new Error('the broker starts before the first test')
      return broker
    }
  }
}
