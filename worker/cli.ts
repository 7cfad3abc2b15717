/**
 * `rapport` — the command line. Commands are thin: parse flags with zod, call a service, print.
 * Exit codes: 0 ok, 2 bad input (clear message on stderr), 1 internal failure.
 */
import { setFlagsFromString } from 'node:v8';
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

/** Commands that read a few rows and exit: they start much faster without optimising PGlite's WebAssembly. */
const QUICK_COMMANDS = new Set(['cooling-off', 'people', 'asks', 'status', 'login-code']);

// V8 compiles WebAssembly twice: a quick baseline at once, then optimised code in background threads. For
// a one-shot query the second pass is wasted work that competes for the CPU (on 2 cores it nearly doubled
// `rapport cooling-off`). Long runs (sync, analyze, serve, worker) keep it: their queries need the speed.
// Must be set before the database is opened; flags set later do not apply to modules already compiled.
if (QUICK_COMMANDS.has(process.argv[2] ?? '')) setFlagsFromString('--liftoff-only');

const code = await runCli(process.argv.slice(2));
// Every command has closed what it opened by now. Exit at once rather than idling while the runtime tears
// down the embedded database's WebAssembly (~0.1–0.2 s of a one-shot command); output is flushed first.
process.stdout.write('', () => process.exit(code));
