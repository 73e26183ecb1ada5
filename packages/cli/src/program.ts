// The command tree, rpk-style nouns and verbs: start, topic, group, share-group, cluster, config,
// user, acl, quota, http, console, version.
import { createRequire } from 'node:module'
import { Command } from 'commander'
import { registerStart } from './start/command.js'
import { registerTopic } from './commands/topic.js'
import { registerProduce } from './commands/produce/command.js'
import { registerConsume } from './commands/consume/command.js'
import { registerGroup } from './commands/group.js'
import { registerCluster } from './commands/cluster.js'
import { registerConfig } from './commands/config.js'
import { registerUser } from './commands/user.js'
import { registerAcl } from './commands/acl.js'
import { registerQuota } from './commands/quota.js'
import { registerShareGroup } from './commands/share-group.js'
import { registerHttp } from './commands/http.js'
import { registerConsole } from './commands/console.js'
import { examples } from './commands/common.js'

function version (): string {
  const require = createRequire(import.meta.url)
  const pkg = require('../../package.json') as { version: string }
  return pkg.version
}

/** `setExitCode` receives the status of a command that reports one itself (`brook start`). */
export function buildProgram (setExitCode: (code: number) => void): Command {
  const program = new Command('brook')
    .description('Brook: a Kafka-compatible broker, and a command line for any Kafka-compatible cluster')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
  examples(program, [
    'brook start --config config/server.properties',
    'brook topic create orders -p 3',
    'seq 10 | brook topic produce orders',
    'brook topic consume orders -e',
    'brook group describe billing'
  ])

  registerStart(program, setExitCode)

  const topic = examples(program.command('topic').description('Create, inspect, change and delete topics; produce and consume records'), [
    'brook topic list', 'brook topic describe orders', 'brook topic consume orders -e'
  ])
  registerTopic(topic)
  registerProduce(topic)
  registerConsume(topic)

  registerGroup(examples(program.command('group').description('Consumer groups: list, describe with lag, delete, reset offsets'), [
    'brook group list', 'brook group describe billing', 'brook group seek billing --topic orders --to-earliest --execute'
  ]))
  registerShareGroup(examples(program.command('share-group').description('Share groups (queues): list, describe with lag, reset start offsets, delete'), [
    'brook share-group list', 'brook share-group describe workers', 'brook share-group reset-offsets workers --topic jobs --to-earliest --execute'
  ]))
  registerCluster(examples(program.command('cluster').description('Cluster metadata and health'), [
    'brook cluster info', 'brook cluster health'
  ]))
  registerConfig(examples(program.command('config').description('Broker and topic configs'), [
    'brook config get --broker 1', 'brook config set --topic orders retention.ms=3600000'
  ]))
  registerUser(examples(program.command('user').description('SCRAM users: create, list, delete'), [
    'brook user create alice --password alice-secret', 'brook user list'
  ]))
  registerAcl(examples(program.command('acl').description('ACLs: create, list, delete bindings (the broker needs an authorizer)'), [
    'brook acl create --allow-principal User:alice --operation write --topic orders', 'brook acl list'
  ]))
  registerQuota(examples(program.command('quota').description('Client quotas: set, delete, describe (byte rates, request time, mutations, connections)'), [
    'brook quota set --user alice producer_byte_rate=1048576', 'brook quota describe'
  ]))
  registerHttp(program, setExitCode)
  registerConsole(program, setExitCode)
  examples(program.command('version').description('Print the version'), ['brook version'])
    .action(() => { process.stdout.write(version() + '\n') })
  return program
}
