// `brook start`: the broker itself. Flags as before the command tree moved to commander.
import type { Command } from 'commander'
import type { LogFormat } from '@brook/broker'
import { addOverride, logFormatOf, startOptionsFrom } from './options.js'

export function registerStart (program: Command, setExitCode: (code: number) => void): void {
  program.command('start')
    .description('Start a Kafka-compatible broker')
    .option('--config <file>', 'Kafka broker properties file (server.properties)')
    .option('--override <key=value>', 'set a broker config; repeatable, wins over --config', addOverride)
    .option('--log-format <format>', 'pretty (default; also BROOK_LOG_FORMAT) or json', logFormatOf)
    .option('--log-level <level>', 'fatal, error, warn, info (default; also BROOK_LOG_LEVEL), debug, trace, silent')
    .addHelpText('after', `
Examples:
  $ brook start --config config/server.properties
  $ brook start --override listeners=PLAINTEXT://127.0.0.1:9092 --override log.dirs=/tmp/brook`)
    .action(async (flags: { config?: string, override?: Record<string, string>, logFormat?: LogFormat, logLevel?: string }) => {
      // Loaded here, not at the top: the broker's modules take a while to load and only start needs them.
      const { isLogLevel } = await import('@brook/broker')
      const { runBroker } = await import('./run.js')
      setExitCode(await runBroker(startOptionsFrom(flags, process.env, isLogLevel)))
    })
}
