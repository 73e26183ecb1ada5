// What every cluster command shares: the connection flags, --format, examples in --help, value
// parsers that fail as usage errors, and a client that is closed when the command ends.
import { type Command, Option } from 'commander'
import { Client } from '@brook/client'
import { BOOTSTRAP_ENV, CLIENT_CONFIG_ENV, clientOptionsFrom, type ConnectionFlags } from '../connection/client-options.js'
import { UsageError } from '../errors.js'
import { type OutputFormat, outputFormatOf } from '../output/output.js'

export interface FormatFlags { format: OutputFormat }

export function withConnection (cmd: Command): Command {
  return cmd
    .option('-b, --bootstrap-server <host:port,...>', `brokers to bootstrap from (also ${BOOTSTRAP_ENV}; default 127.0.0.1:9092)`)
    .option('--command-config <file>', `client properties file: bootstrap.servers, security.protocol, ssl.*, sasl.* (also ${CLIENT_CONFIG_ENV})`)
    .option('--client-id <id>', 'client.id sent to the brokers (default brook-cli)')
}

export function withFormat (cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'output: table or json').default('table').argParser(outputFormatOf))
    .addOption(new Option('--output <format>', 'same as --format').argParser(outputFormatOf).hideHelp())
    .hook('preAction', (_, action) => {
      const opts = action.opts<{ output?: OutputFormat }>()
      if (opts.output !== undefined) action.setOptionValue('format', opts.output)
    })
}

export function examples (cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`)
}

export function makeClient (flags: ConnectionFlags): Client {
  return new Client(clientOptionsFrom(flags, process.env, (line) => process.stderr.write(line + '\n')))
}

/** Runs `fn` with an admin client and closes it whatever happens. */
export async function withAdmin<T> (flags: ConnectionFlags, fn: (admin: ReturnType<Client['admin']>) => Promise<T>): Promise<T> {
  const admin = makeClient(flags).admin()
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}

export function intOf (what: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${what} must be an integer >= ${min}, got ${value}`)
    return n
  }
}

export function bigintOf (what: string): (value: string) => bigint {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${what} must be an integer, got ${value}`)
    return BigInt(value.trim())
  }
}

/** Repeatable `key=value`, collected into one record. */
export function collectKeyValue (what: string): (value: string, previous?: Record<string, string>) => Record<string, string> {
  return (value, previous = {}) => {
    const sep = value.indexOf('=')
    if (sep <= 0) throw new UsageError(`${what} expects key=value, got ${value}`)
    return { ...previous, [value.slice(0, sep)]: value.slice(sep + 1) }
  }
}

/** Repeatable plain value, collected into a list. */
export function collect (value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** Milliseconds since the epoch from a number or an ISO-8601 date-time (2024-05-01T10:00:00Z). */
export function timestampOf (value: string): number {
  if (/^\d+$/.test(value)) return Number(value)
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new UsageError(`${value} is neither milliseconds since the epoch nor an ISO-8601 date-time`)
  return ms
}
