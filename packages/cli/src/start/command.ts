// `brook start`: the broker itself. Flags as before the command tree moved to commander.
import type { Command } from 'commander'
import type { LogFormat, LogLevel } from '@brook/broker'
import { addOverride, logFormatOf, logLevelOf, startOptionsFrom } from './options.js'
import { runBroker } from './run.js'

export function registerStart (program: Command, setExitCode: (code: number) => void): void {
  program.command('start')
    .description('Start a Kafka-compatible broker')
    .option('--config <file>', 'Kafka broker properties file (server.properties)')
    .option('--override <key=value>', 'set a broker config; repeatable, wins over --config', addOverride)
    .option('--log-format <format>', 'pretty (default; also BROOK_LOG_FORMAT) or json', logFormatOf)
    .option('--log-level <level>', 'fatal, error, warn, info (default; also BROOK_LOG_LEVEL), debug, trace, silent', logLevelOf)
    .addHelpText('after', `
Examples:
  $ brook start --config config/server.properties
  $ brook start --override listeners=PLAINTEXT://127.0.0.1:9092 --override log.dirs=/tmp/brook`)
    .action(async (flags: { config?: string, override?: Record<string, string>, logFormat?: LogFormat, logLevel?: LogLevel }) => {
      setExitCode(await runBroker(startOptionsFrom(flags, process.env)))
    })
}
