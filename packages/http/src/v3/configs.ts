// v3 config resources (topic and broker configs share the shape).
import type { ConfigEntry } from '@brook/client'
import { resource, type Links } from './resources.js'

/** DescribeConfigs' source numbers as the v3 API names them. */
const SOURCES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG']

const DEFAULT_CONFIG = 5

export function configResource (links: Links, kind: string, path: string, crn: string, e: ConfigEntry): Record<string, unknown> {
  return {
    ...resource(links, kind, path, crn),
    name: e.name,
    value: e.isSensitive ? null : e.value,
    // The source decides (DescribeConfigs v1+ has no is_default field of its own).
    is_default: e.source === DEFAULT_CONFIG || (e.source < 0 && e.isDefault),
    is_read_only: e.readOnly,
    is_sensitive: e.isSensitive,
    source: SOURCES[e.source] ?? 'UNKNOWN',
    synonyms: []
  }
}
