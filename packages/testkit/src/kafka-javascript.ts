// @confluentinc/kafka-javascript (librdkafka 2.15, the KIP-848 consumer) for tests. It is not a
// workspace dependency: building librdkafka needs Debian -dev packages and minutes of compile
// time, so scripts/install-librdkafka-client.sh builds it into <repo>/.deps/kafka-javascript
// (BROOK_KAFKA_JAVASCRIPT overrides the package directory). Only what the tests use is typed.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export const KAFKA_JAVASCRIPT_INSTALL_SCRIPT = 'scripts/install-librdkafka-client.sh'

export interface RdKafkaTopicPartition {
  topic: string
  partition: number
}

export interface RdKafkaMessage {
  topic: string
  partition: number
  offset: number
  value: Buffer | null
}

export interface RdKafkaError {
  code: number
  message: string
}

export interface RdKafkaConsumer {
  connect: (options?: Record<string, unknown>, cb?: (err: RdKafkaError | null) => void) => void
  subscribe: (topics: string[]) => void
  consume: () => void
  disconnect: (cb?: (err: RdKafkaError | null) => void) => void
  on: ((event: 'ready', cb: () => void) => void) &
  ((event: 'data', cb: (m: RdKafkaMessage) => void) => void) &
  ((event: 'rebalance', cb: (err: RdKafkaError, assignment: RdKafkaTopicPartition[]) => void) => void) &
  ((event: 'event.error', cb: (err: RdKafkaError) => void) => void) &
  ((event: 'event.log', cb: (log: { severity: number, fac: string, message: string }) => void) => void)
}

export interface KafkaJavascript {
  librdkafkaVersion: string
  KafkaConsumer: new (conf: Record<string, unknown>, topicConf?: Record<string, unknown>) => RdKafkaConsumer
  CODES: { ERRORS: Record<string, number> }
}

/** Where the package is (or would be) installed. */
export function kafkaJavascriptDir (): string {
  return process.env.BROOK_KAFKA_JAVASCRIPT ??
    fileURLToPath(new URL('../../../../.deps/kafka-javascript/node_modules/@confluentinc/kafka-javascript', import.meta.url))
}

/** Loads the package; throws a message naming the install script when it is missing. */
export function loadKafkaJavascript (): KafkaJavascript {
  const dir = kafkaJavascriptDir()
  if (!existsSync(`${dir}/build/Release/confluent-kafka-javascript.node`)) {
    throw new Error(`@confluentinc/kafka-javascript (librdkafka 2.15) is not built in ${dir}: run ${KAFKA_JAVASCRIPT_INSTALL_SCRIPT} first`)
  }
  return createRequire(import.meta.url)(dir) as KafkaJavascript
}
