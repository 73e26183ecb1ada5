// Which of a registered broker's endpoints to use: brokers reach each other on
// inter.broker.listener.name (the first listener when unset, as Kafka's default); clients are
// told the endpoint of the listener they connected to, else the first.
import type { BrokerEndpoint, BrokerRegistration } from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'

export function endpointFor (reg: BrokerRegistration, listenerName: string | null): BrokerEndpoint | null {
  const byName = listenerName === null ? undefined : reg.endpoints.find((e) => e.name === listenerName)
  return byName ?? reg.endpoints[0] ?? null
}

export function brokerAddress (reg: BrokerRegistration, config: BrokerConfig): { host: string, port: number } | null {
  const endpoint = endpointFor(reg, config.string('inter.broker.listener.name'))
  return endpoint === null ? null : { host: endpoint.host, port: endpoint.port }
}
