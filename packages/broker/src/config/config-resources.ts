// Which config resources exist, by type, for ListConfigResources (Kafka 4.1+; before, it listed
// client metrics resources only). Order and set as Kafka's broker: groups, client metrics,
// broker loggers, brokers, topics. Groups are listed when they have config overrides; Brook
// keeps no client-metrics config entities, so that type is valid and lists nothing.
import { ResourceType } from './describe.js'

const CLIENT_METRICS = 16
const GROUP = 32

/** The types a request version may name (v0 has no field: client metrics only). */
function supportedResourceTypes (version: number): readonly number[] {
  return version === 0 ? [CLIENT_METRICS] : [ResourceType.TOPIC, ResourceType.BROKER, ResourceType.BROKER_LOGGER, CLIENT_METRICS, GROUP]
}

export interface ConfigResourceSources {
  nodeId: number
  topicNames: () => readonly string[]
  /** Names of client-metrics subscriptions (none are configurable yet). */
  clientMetricsNames: () => readonly string[]
  /** Group ids that carry group config overrides. */
  groupConfigIds: () => readonly string[]
}

export interface ConfigResourceName {
  resourceName: string
  resourceType: number
}

/** Every resource of the given types; null when a type is not supported at this version. */
export function listConfigResources (types: readonly number[], version: number, sources: ConfigResourceSources): ConfigResourceName[] | null {
  const supported = supportedResourceTypes(version)
  const wanted = types.length === 0 ? supported : types
  if (wanted.some((t) => !supported.includes(t))) return null
  const out: ConfigResourceName[] = []
  const add = (type: number, names: readonly string[]): void => {
    if (wanted.includes(type)) for (const resourceName of names) out.push({ resourceName, resourceType: type })
  }
  add(GROUP, sources.groupConfigIds())
  add(CLIENT_METRICS, sources.clientMetricsNames())
  add(ResourceType.BROKER_LOGGER, [String(sources.nodeId)])
  add(ResourceType.BROKER, [String(sources.nodeId)])
  add(ResourceType.TOPIC, sources.topicNames())
  return out
}
