// Cluster mode refuses to start with inter-broker settings that cannot work (an unsupported
// mechanism, no credentials for the broker), naming the setting, before anything is opened.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startEtcd, startTestBroker } from '@brook/testkit'

test('inter-broker settings that cannot work stop the start with the setting named', { timeout: 60_000 }, async () => {
  const etcd = await startEtcd()
  try {
    const base = {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'inter.broker.listener.name': 'SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_broker="broker-secret";',
      'etcd.endpoints': etcd.endpoint,
      'etcd.prefix': '/brook-inter-broker-config',
      'node.id': '1'
    }
    // Kafka's default mechanism, GSSAPI, is not one Brook speaks.
    await assert.rejects(startTestBroker(base), /sasl\.mechanism\.inter\.broker\.protocol=GSSAPI is not one Brook supports/)
    // PLAIN, but the listener's JAAS entry holds no username/password for this broker.
    await assert.rejects(startTestBroker({ ...base, 'sasl.mechanism.inter.broker.protocol': 'PLAIN' }),
      /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config must hold username and password/)
    // SCRAM with no JAAS entry for it at all.
    await assert.rejects(startTestBroker({ ...base, 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512', 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512' }),
      /listener\.name\.sasl_plaintext\.scram-sha-512\.sasl\.jaas\.config is not set/)
    // security.inter.broker.protocol names a listener that does not exist.
    const { 'inter.broker.listener.name': _named, ...unnamed } = base
    await assert.rejects(startTestBroker({ ...unnamed, 'security.inter.broker.protocol': 'SASL_SSL' }), /inter-broker listener SASL_SSL is not one of the listeners/)
    // Complete settings start.
    const broker = await startTestBroker({
      ...base,
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret";'
    })
    await broker.close()
  } finally {
    await etcd.close()
  }
})
