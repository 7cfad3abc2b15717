/**
 * Start-up cost of the `rapport` command, each figure against its floor measured in the same run:
 *
 * - `rapport --help` vs a bare `node -e ''`;
 * - `rapport cooling-off` on an embedded home holding the demo mailbox (imported and analysed first) vs a
 *   bare node process that opens the same PGlite data directory and closes it;
 * - the first `npm run demo` on a new RAPPORT_HOME (what a newcomer meets after `npm ci`), with the load.
 *
 * Each pair is run interleaved, N times after one warm-up, and compared by median, so a burst of load from
 * another process hits both sides alike.
 *
 *   npx tsx scripts/bench-start.ts [runs=11] [--no-demo]
 *
 * The last line is `BENCH_RESULT {json}`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => !a.startsWith('--')) ?? 11);
const withDemo = !args.includes('--no-demo');
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: tsx scripts/bench-start.ts [runs>0] [--no-demo]');
  process.exit(2);
}

const USER = 'jeff.dasovich@enron.com';
const AS_OF = '2001-12-15';
const bin = path.join(root, 'bin', 'rapport.js');

/** Runs a command to completion; returns wall milliseconds. Fails loudly on a non-zero exit. */
function timed(command: string, argv: string[], env: Record<string, string> = {}): number {
  const t = performance.now();
  const r = spawnSync(command, argv, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Interleaves the two commands `runs` times after a warm-up of each; medians in ms. */
function pair(a: () => number, b: () => number): { a: number; b: number } {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
  }
  return { a: median(as), b: median(bs) };
}

// The build the `rapport` command runs (npm ci makes it; rebuilt here so edited sources are measured).
timed(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);

const help = pair(
  () => timed(process.execPath, [bin, '--help']),
  () => timed(process.execPath, ['-e', '']),
);
console.log(
  `--help ${help.a.toFixed(0)} ms, bare node ${help.b.toFixed(0)} ms (${(help.a / help.b).toFixed(2)}×)`,
);

const home = await mkdtemp(path.join(os.tmpdir(), 'rapport-bench-start-'));
const env = { RAPPORT_HOME: home, LOG_LEVEL: 'warn', DATABASE_URL: '' };
const mbox = path.join(root, 'scripts', 'demo-data', 'dasovich-j.mbox.gz');
timed(process.execPath, [bin, 'import', '--user', USER, '--mbox', mbox], env);
timed(process.execPath, [bin, 'analyze', '--user', USER, '--as-of', AS_OF], env);
const pglite = path.join(root, 'node_modules', '@electric-sql', 'pglite', 'dist', 'index.js');
const openAndClose = (flags: string[]) => () =>
  timed(process.execPath, [
    ...flags,
    '--input-type=module',
    '-e',
    `const { PGlite } = await import(${JSON.stringify(pglite)});
     const db = await PGlite.create(${JSON.stringify(path.join(home, 'pgdata'))});
     await db.close(); process.exit(0);`,
  ]);
const query = pair(
  () => timed(process.execPath, [bin, 'cooling-off', '--user', USER, '--as-of', AS_OF, '--limit', '20'], env),
  openAndClose([]),
);
// For the record: the floor when it, too, skips optimising PGlite's WebAssembly as query commands do.
const floorLiftoff = median(Array.from({ length: Math.min(runs, 5) }, openAndClose(['--liftoff-only'])));
console.log(
  `cooling-off ${query.a.toFixed(0)} ms, open the database ${query.b.toFixed(0)} ms (+${(query.a - query.b).toFixed(0)} ms; ` +
    `open with --liftoff-only ${floorLiftoff.toFixed(0)} ms)`,
);
await rm(home, { recursive: true, force: true });

let demo: { seconds: number; load: number[] } | null = null;
if (withDemo) {
  const demoHome = await mkdtemp(path.join(os.tmpdir(), 'rapport-bench-demo-'));
  const load = os.loadavg().map((l) => Number(l.toFixed(2)));
  const ms = timed('npm', ['run', '--silent', 'demo'], { RAPPORT_HOME: demoHome, LOG_LEVEL: 'warn' });
  demo = { seconds: ms / 1000, load };
  console.log(`first demo run ${(ms / 1000).toFixed(1)} s (load average at start ${load.join(' ')})`);
  await rm(demoHome, { recursive: true, force: true });
}

console.log(
  `BENCH_RESULT ${JSON.stringify({
    runs,
    helpMs: help.a,
    nodeMs: help.b,
    coolingOffMs: query.a,
    openMs: query.b,
    openLiftoffMs: floorLiftoff,
    demo,
  })}`,
);
