/**
 * `rapport` — the command line. Commands are thin: parse flags with zod, call a service, print.
 * Exit codes: 0 ok, 2 bad input (clear message on stderr), 1 internal failure.
 */
import { CommanderError } from 'commander';
import { describeFailure } from './cli/failure.js';
import { buildProgram } from './cli/program.js';

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    const failure = describeFailure(error);
    process.stderr.write(`rapport: ${failure.text}\n`);
    return failure.code;
  }
}

// `rapport people … | head`: the reader has all it wanted once it closes the pipe. That is not a
// failure, so stop quietly instead of dying on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
