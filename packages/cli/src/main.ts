// The `brook` command: parses the command line with commander, runs the command, and turns every
// failure into one line on stderr and an exit code (see errors.ts).
import { CommanderError } from 'commander'
import { describeFailure, ExitCode } from './errors.js'
import { buildProgram } from './program.js'
import { tolerateClosedStdout } from './output/output.js'

export async function main (args: string[]): Promise<number> {
  tolerateClosedStdout()
  let exitCode: number = ExitCode.ok
  const program = buildProgram((code) => { exitCode = code })
  try {
    await program.parseAsync(args, { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed the help or the error already; help asked for is success.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? ExitCode.ok : ExitCode.usage
    }
    const failure = describeFailure(err)
    process.stderr.write(`brook: ${failure.message}\n`)
    if (process.env.BROOK_DEBUG !== undefined && err instanceof Error && err.stack !== undefined) process.stderr.write(err.stack + '\n')
    return failure.exitCode
  }
}
