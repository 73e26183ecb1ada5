// `brook user create|list|delete`: SCRAM users (AlterUserScramCredentials,
// DescribeUserScramCredentials), as rpk's `acl user` and kafka-configs.sh --entity-type users.
import type { Command } from 'commander'
import { Option } from 'commander'
import type { ScramMechanism } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { UsageError } from '../errors.js'
import { printRows } from '../output/output.js'
import { examples, type FormatFlags, intOf, withAdmin, withConnection, withFormat } from './common.js'

type Flags = ConnectionFlags & FormatFlags
const MECHANISMS: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']

export function registerUser (user: Command): void {
  examples(withFormat(withConnection(user.command('create')
    .description('Create a SCRAM user, or change its password')
    .argument('<name>', 'user name')
    .option('--password <password>', 'the password (default: read from the BROOK_USER_PASSWORD environment variable)')
    .addOption(new Option('--mechanism <mechanism>', 'SCRAM mechanism').choices(MECHANISMS).default('SCRAM-SHA-256'))
    .option('--iterations <n>', 'PBKDF2 iterations (4096..16384)', intOf('--iterations', 4096), 4096))), [
    'brook user create alice --password alice-secret',
    'BROOK_USER_PASSWORD=s3cret brook user create bob --mechanism SCRAM-SHA-512'
  ]).action(async (name: string, flags: Flags & { password?: string, mechanism: ScramMechanism, iterations: number }) => {
    const password = flags.password ?? process.env.BROOK_USER_PASSWORD
    if (password === undefined || password === '') throw new UsageError('give --password or set BROOK_USER_PASSWORD')
    await withAdmin(flags, async (admin) => { await admin.alterScramCredentials({ upsert: [{ user: name, mechanism: flags.mechanism, password, iterations: flags.iterations }] }) })
    printRows(flags.format, [{ user: name, mechanism: flags.mechanism, status: 'OK' }], ['user', 'mechanism', 'status'], (r) => [r.user, r.mechanism, r.status])
  })

  examples(withFormat(withConnection(user.command('list').alias('ls')
    .description('List SCRAM users with their mechanisms and iterations')
    .argument('[names...]', 'only these users'))), [
    'brook user list',
    'brook user list alice --format json'
  ]).action(async (names: string[], flags: Flags) => {
    const users = await withAdmin(flags, async (admin) => await admin.describeScramCredentials(names.length > 0 ? names : undefined))
    const rows = users.flatMap((u) => u.credentials.map((c) => ({ user: u.user, mechanism: c.mechanism, iterations: c.iterations })))
    printRows(flags.format, rows, ['user', 'mechanism', 'iterations'], (r) => [r.user, r.mechanism, r.iterations])
  })

  examples(withFormat(withConnection(user.command('delete').alias('rm')
    .description('Delete a SCRAM user\'s credential')
    .argument('<name>', 'user name')
    .addOption(new Option('--mechanism <mechanism>', 'SCRAM mechanism').choices(MECHANISMS).default('SCRAM-SHA-256')))), [
    'brook user delete alice',
    'brook user delete bob --mechanism SCRAM-SHA-512'
  ]).action(async (name: string, flags: Flags & { mechanism: ScramMechanism }) => {
    await withAdmin(flags, async (admin) => { await admin.alterScramCredentials({ delete: [{ user: name, mechanism: flags.mechanism }] }) })
    printRows(flags.format, [{ user: name, mechanism: flags.mechanism, status: 'OK' }], ['user', 'mechanism', 'status'], (r) => [r.user, r.mechanism, r.status])
  })
}
