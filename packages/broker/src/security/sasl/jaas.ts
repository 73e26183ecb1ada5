// The one JAAS line a listener's sasl.jaas.config holds:
//   org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b" user_a="b";
// Options are name=value with the value quoted or bare; user_<name> options are PLAIN's users.
export interface JaasEntry {
  loginModule: string
  flag: string
  options: Map<string, string>
}

export function parseJaas (text: string): JaasEntry {
  const head = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s*/i.exec(text)
  if (head === null) throw new Error('JAAS config must start with a login module and a control flag')
  const options = new Map<string, string>()
  const OPTION = /\s*([\w.-]+)\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^\s;"]+))\s*/y
  let at = head[0].length
  while (at < text.length) {
    if (/^\s*;\s*$/.test(text.slice(at))) return { loginModule: head[1] as string, flag: (head[2] as string).toLowerCase(), options }
    OPTION.lastIndex = at
    const match = OPTION.exec(text)
    if (match === null) throw new Error(`JAAS config: cannot parse option ${options.size + 1} (values are not shown: they may be passwords)`)
    options.set(match[1] as string, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3] as string)
    at = OPTION.lastIndex
  }
  throw new Error('JAAS config must end with a semicolon')
}

/** PLAIN's users: the user_<name>="<password>" options. */
export function plainUsers (entry: JaasEntry): Map<string, string> {
  const users = new Map<string, string>()
  for (const [name, value] of entry.options) if (name.startsWith('user_')) users.set(name.slice(5), value)
  return users
}
