// Turning authorization on from the broker's settings: authorizer.class.name names Kafka's
// StandardAuthorizer (or Brook's short name for it); the ACLs come from the AclStore the
// metadata settings ask for (etcd in cluster mode, else the file in the first log dir).
import type { Logger } from '@brook/common'
import { type AclStore, metadataConfigFrom, openAclStore } from '@brook/metadata'
import type { BrokerConfig } from '../../config/broker-config.js'
import { ConfigError } from '../../config/schema.js'
import type { Authorizer } from './authorizer.js'
import { parseSuperUsers, StandardAuthorizer } from './standard-authorizer.js'

/** The names authorizer.class.name accepts for the standard authorizer. */
export const STANDARD_AUTHORIZER_NAMES: ReadonlySet<string> = new Set([
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
  'StandardAuthorizer'
])

export interface Authorization {
  readonly acls: AclStore
  readonly authorizer: Authorizer
  close: () => Promise<void>
}

export async function openAuthorization (settings: Readonly<Record<string, string | undefined>>, config: BrokerConfig,
  dir: string, logger: Logger): Promise<Authorization | null> {
  const name = (config.string('authorizer.class.name') ?? '').trim()
  if (name === '') return null
  if (!STANDARD_AUTHORIZER_NAMES.has(name)) {
    throw new ConfigError('authorizer.class.name', `unknown authorizer ${name}; Brook provides org.apache.kafka.metadata.authorizer.StandardAuthorizer`)
  }
  const acls = await openAclStore(metadataConfigFrom(settings), { dir, logger: logger.child({ component: 'acls' }) })
  const authorizer = new StandardAuthorizer(acls, {
    superUsers: parseSuperUsers(config.string('super.users')),
    allowEveryoneIfNoAclFound: config.bool('allow.everyone.if.no.acl.found')
  })
  return {
    acls,
    authorizer,
    close: async () => {
      authorizer.close()
      await acls.close()
    }
  }
}
