// The 1,000 ACL bindings the security benchmarks define (issue 12: authorization costs under 5 %
// of produce throughput with 1,000 ACLs): two that let `principal` create and write every topic
// named bench.*, and 998 others a lookup must skip (literal, prefixed, wildcard principals,
// hosts, DENYs, topics and groups).
import { AclOperation, AclPermission, PatternType, ResourceType } from '../packages/metadata/dist/src/index.js'

export const ACL_COUNT = 1000

export function benchBindings (principal) {
  const mine = (operation) => ({ resourceType: ResourceType.TOPIC, resourceName: 'bench.', patternType: PatternType.PREFIXED, principal, host: '*', operation, permissionType: AclPermission.ALLOW })
  const out = [mine(AclOperation.WRITE), mine(AclOperation.CREATE)]
  for (let i = 1; out.length < ACL_COUNT; i++) {
    const kind = i % 4
    out.push({
      resourceType: kind === 3 ? ResourceType.GROUP : ResourceType.TOPIC,
      resourceName: kind === 1 ? `team-${i}.` : `topic-${i}`,
      patternType: kind === 1 ? PatternType.PREFIXED : PatternType.LITERAL,
      principal: kind === 2 ? 'User:*' : `User:user-${i}`,
      host: i % 5 === 0 ? `10.0.${i % 256}.1` : '*',
      operation: [AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.ALL][i % 4],
      permissionType: i % 7 === 0 ? AclPermission.DENY : AclPermission.ALLOW
    })
  }
  return out
}
