// Who a connection is, as Kafka's DefaultKafkaPrincipalBuilder says: SASL connections are
// User:<authenticated name>; TLS connections with a client certificate are User:<the subject's
// distinguished name in RFC 2253 form (CN first)> after ssl.principal.mapping.rules; anything
// else is User:ANONYMOUS.
import { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import { ConfigError } from '../config/schema.js'

export interface Principal {
  type: string
  name: string
}

export const ANONYMOUS: Principal = { type: 'User', name: 'ANONYMOUS' }

export function formatPrincipal (p: Principal): string {
  return `${p.type}:${p.name}`
}

/** The subject of a DER certificate as RFC 2253 writes it: most specific RDN first, comma-separated. */
export function rfc2253Subject (der: Buffer): string {
  const subject = new X509Certificate(der).subject
  return subject.split('\n').filter((line) => line !== '').reverse().map(escapeRdn).join(',')
}

function escapeRdn (rdn: string): string {
  const at = rdn.indexOf('=')
  if (at < 0) return rdn
  const value = rdn.slice(at + 1).replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ')
  return `${rdn.slice(0, at)}=${value}`
}

export interface MappingRule {
  pattern: RegExp | null
  replacement: string
  caseChange: '' | 'L' | 'U'
}

/** Parses ssl.principal.mapping.rules: a comma-separated list of RULE:pattern/replacement/[LU] and DEFAULT. */
export function parseMappingRules (text: string): MappingRule[] {
  const rules: MappingRule[] = []
  const RULE = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?))\s*(?:,|$)/y
  let at = 0
  while (at < text.length) {
    RULE.lastIndex = at
    const match = RULE.exec(text)
    if (match === null || RULE.lastIndex === at) throw new ConfigError('ssl.principal.mapping.rules', `Invalid rule: ${text.slice(at)}`)
    at = RULE.lastIndex
    if (match[1] !== undefined) rules.push({ pattern: null, replacement: '', caseChange: '' })
    else rules.push({ pattern: new RegExp(match[2] as string), replacement: (match[3] as string).replace(/\\\//g, '/'), caseChange: (match[4] ?? '') as MappingRule['caseChange'] })
  }
  return rules
}

/** Kafka's SslPrincipalMapper: the first rule whose pattern matches the whole name wins. */
export function mapDistinguishedName (dn: string, rules: readonly MappingRule[]): string {
  for (const rule of rules) {
    if (rule.pattern === null) return dn
    const match = new RegExp(`^(?:${rule.pattern.source})$`).exec(dn)
    if (match === null) continue
    const mapped = rule.replacement.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '')
    return rule.caseChange === 'L' ? mapped.toLowerCase() : rule.caseChange === 'U' ? mapped.toUpperCase() : mapped
  }
  throw new Error(`BROOK_NO_PRINCIPAL_RULE: no rule in ssl.principal.mapping.rules matches ${dn}`)
}

/**
 * The principal of a TLS connection: its verified client certificate's subject through the
 * mapping rules, or ANONYMOUS without one.
 */
export function tlsPrincipal (socket: TLSSocket, rules: readonly MappingRule[]): Principal {
  if (!socket.authorized) return ANONYMOUS
  const cert = socket.getPeerCertificate()
  if (cert === null || cert.raw === undefined) return ANONYMOUS
  return { type: 'User', name: mapDistinguishedName(rfc2253Subject(cert.raw), rules) }
}
