/**
 * `rapport` — the command line. Commands are thin: parse flags with zod, call a service, print.
 * Exit codes: 0 ok, 2 bad input (clear message on stderr), 1 internal failure.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import { ConfigError } from './config.js';
import { NotFoundError, UsageError } from './errors.js';

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof NotFoundError || error instanceof ConfigError) {
      process.stderr.write(`rapport: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`rapport: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

// `rapport people … | head`: the reader has all it wanted once it closes the pipe. That is not a
// failure, so stop quietly instead of dying on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
