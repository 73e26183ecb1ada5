// Which of a registered broker's endpoints to use: brokers reach each other on
// inter.broker.listener.name (security/inter-broker.ts: the first listener when nothing names
// one), with that listener's TLS and SASL settings; clients are told the endpoint of the listener
// they connected to, else the first.
import type { BrokerEndpoint, BrokerRegistration } from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'
import { interBrokerListenerName, interBrokerSecurity, type PeerSecurity } from '../security/inter-broker.js'

export function endpointFor (reg: BrokerRegistration, listenerName: string | null): BrokerEndpoint | null {
  const byName = listenerName === null ? undefined : reg.endpoints.find((e) => e.name === listenerName)
  return byName ?? reg.endpoints[0] ?? null
}

export interface PeerAddress {
  host: string
  port: number
  security: PeerSecurity
}

export function brokerAddress (reg: BrokerRegistration, config: BrokerConfig): PeerAddress | null {
  const endpoint = endpointFor(reg, interBrokerListenerName(config))
  return endpoint === null ? null : { host: endpoint.host, port: endpoint.port, security: interBrokerSecurity(config) }
}
