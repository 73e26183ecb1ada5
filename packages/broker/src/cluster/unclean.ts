// unclean.leader.election.enable for one topic: its override, else the broker's setting.
import type { BrokerConfig } from '../config/broker-config.js'

export function topicSettingsUnclean (overrides: Readonly<Record<string, string>>, config: BrokerConfig): boolean {
  const own = overrides['unclean.leader.election.enable']
  if (own !== undefined) return own.trim().toLowerCase() === 'true'
  return config.bool('unclean.leader.election.enable')
}
