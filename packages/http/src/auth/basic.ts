// HTTP Basic credentials (RFC 7617) from an Authorization header.

export interface Credentials { username: string, password: string }

/** The user and password of a `Basic` Authorization header; null when there is none or it is malformed. */
export function basicCredentials (header: string | undefined): Credentials | null {
  if (header === undefined) return null
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (match === null) return null
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return null
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}
