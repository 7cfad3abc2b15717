/**
 * `npm run bench [-- --quick]`: runs every benchmark in its own child process, one after another, prints
 * one table and writes `out/bench.json` — an array of { name, value, unit, limit, ratio, target, pass }.
 * Where a figure has a natural ceiling measured in the same run (the emulator's quota-bound sync rate,
 * a raw COPY of the same rows) `limit` is that ceiling and `ratio` = value / limit; for budget figures
 * (seconds, MiB, ms) `limit` is the budget and `ratio` = value / limit (≤ 1 passes). Informational rows
 * have `pass: null`. A benchmark that cannot run (no Postgres, a script missing) becomes rows with
 * `value: null` and a note, and the others still run.
 *
 * Sub-benchmarks (each prints a final `BENCH_RESULT {json}` line):
 *   scripts/bench-sync.ts      Gmail backfill (5 % injected 5xx) + incremental sync vs the quota bound
 *   scripts/bench-ingest.ts    storeMailPage rows/s vs raw COPY of the same rows (Postgres)
 *   scripts/bench-analysis.ts  analyzeRelationships at 100k / 1M messages; many small users
 *   scripts/bench-report.ts    buildReport (load + compose + render) per user on the demo mailbox
 *   scripts/bench-api.ts       GET /v1/cooling-off latency at 50 clients, 10k people
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Row {
  name: string;
  value: number | null;
  unit: string;
  limit: number | null;
  ratio: number | null;
  target: string;
  pass: boolean | null;
  note?: string;
}

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const root = path.resolve(import.meta.dirname, '..');

const SIZES = quick
  ? {
      syncBackfill: 600,
      syncIncremental: 300,
      ingest: 3000,
      analysisSmall: 100_000,
      analysisLarge: 300_000,
      users: 300,
      reportRepeats: 5,
      apiPeople: 10_000,
      apiSeconds: 3,
    }
  : {
      syncBackfill: 5000,
      syncIncremental: 2000,
      ingest: 30_000,
      analysisSmall: 100_000,
      analysisLarge: 1_000_000,
      users: 2000,
      reportRepeats: 30,
      apiPeople: 10_000,
      apiSeconds: 10,
    };

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/**
 * Runs a script under tsx in a fresh process; echoes its output indented (minus lines matching `hide`)
 * and returns its BENCH_RESULT.
 */
function runScript(
  script: string,
  args: string[],
  timeoutSeconds: number,
  hide?: RegExp,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let result: Record<string, unknown> | null = null;
    let pending = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.split('\r').pop() ?? '';
        if (line.startsWith('BENCH_RESULT ')) result = JSON.parse(line.slice('BENCH_RESULT '.length));
        else if (line.trim() && !hide?.test(line)) console.log(`    │ ${line}`);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending.startsWith('BENCH_RESULT ')) result = JSON.parse(pending.slice('BENCH_RESULT '.length));
      if (result && code === 0) return resolve(result);
      const tail = stderr
        .split('\n')
        .filter((l) => l.trim() && !l.includes('npm warn'))
        .slice(-3)
        .join(' / ');
      reject(
        new Error(
          signal
            ? `killed after ${timeoutSeconds} s (${signal})`
            : `exit ${code}${result ? '' : ', no BENCH_RESULT line'}${tail ? `: ${tail}` : ''}`,
        ),
      );
    });
  });
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** value/limit against a "ratio ≥ target" goal. */
function atLeast(
  name: string,
  value: number,
  unit: string,
  limit: number,
  target: number,
  note?: string,
): Row {
  const ratio = value / limit;
  return {
    name,
    value,
    unit,
    limit,
    ratio,
    target: `ratio ≥ ${target.toFixed(2)}`,
    pass: ratio >= target,
    ...(note ? { note } : {}),
  };
}

/** value against a budget: ratio = value/limit, passes at ≤ 1. */
function atMost(name: string, value: number, unit: string, limit: number, note?: string): Row {
  return {
    name,
    value,
    unit,
    limit,
    ratio: value / limit,
    target: `≤ ${limit} ${unit}`,
    pass: value <= limit,
    ...(note ? { note } : {}),
  };
}

/** value against floor × factor, both measured in the same run: ratio = value/(floor × factor). */
function withinFactor(name: string, value: number, floor: number, factor: number, floorName: string): Row {
  return {
    name,
    value,
    unit: 'ms',
    limit: floor * factor,
    ratio: value / (floor * factor),
    target: `≤ ${factor} × floor`,
    pass: value <= floor * factor,
    note: `${(value / floor).toFixed(2)} × the floor, ${floor.toFixed(0)} ms (${floorName})`,
  };
}

/** value against floor + margin (ms), both measured in the same run: ratio = value/(floor + margin). */
function withinMargin(name: string, value: number, floor: number, margin: number, note: string): Row {
  return {
    name,
    value,
    unit: 'ms',
    limit: floor + margin,
    ratio: value / (floor + margin),
    target: `≤ floor + ${margin} ms`,
    pass: value <= floor + margin,
    note: `floor ${floor.toFixed(0)} ms; ${note}`,
  };
}

function info(name: string, value: number, unit: string, note?: string): Row {
  return {
    name,
    value,
    unit,
    limit: null,
    ratio: null,
    target: 'informational',
    pass: null,
    ...(note ? { note } : {}),
  };
}

function unavailable(names: [string, string, string][], why: string): Row[] {
  return names.map(([name, unit, target]) => ({
    name,
    value: null,
    unit,
    limit: null,
    ratio: null,
    target,
    pass: null,
    note: `not available: ${why}`,
  }));
}

const MiB = 1024 * 1024;
const rows: Row[] = [];
const startedAt = new Date();
const before = machine();
const t0 = performance.now();

interface Step {
  key: string;
  title: string;
  run: () => Promise<Row[]>;
  fallback: [string, string, string][];
}

const steps: Step[] = [
  {
    key: 'sync',
    title: `sync: backfill ${SIZES.syncBackfill} messages (5 % injected 5xx), then ${SIZES.syncIncremental} new via history`,
    fallback: [
      ['sync backfill', 'messages/s', 'ratio ≥ 0.90'],
      ['sync incremental', 'messages/s', 'ratio ≥ 0.90'],
    ],
    run: async () => {
      const r = await runScript(
        'bench-sync.ts',
        [String(SIZES.syncBackfill), '0.05', String(SIZES.syncIncremental)],
        900,
      );
      const b = r.backfill as Record<string, unknown>;
      const i = r.incremental as Record<string, unknown>;
      return [
        atLeast(
          'sync backfill',
          num(b.rate),
          'messages/s',
          num(b.bound),
          0.9,
          `${b.messages} messages, 5 % injected 5xx, 250 units/s (steady bound ${num(b.steadyBound).toFixed(1)}/s; limit includes the 250-unit initial burst)`,
        ),
        atLeast(
          'sync incremental',
          num(i.rate),
          'messages/s',
          num(i.bound),
          0.9,
          `${i.messages} appended messages via history.list, 5 % injected 5xx (steady bound ${num(i.steadyBound).toFixed(1)}/s)`,
        ),
      ];
    },
  },
  {
    key: 'ingest',
    title: `ingest: storeMailPage vs raw COPY, ${SIZES.ingest} messages`,
    fallback: [['ingest rows/s vs COPY', 'rows/s', 'ratio ≥ 0.30']],
    run: async () => {
      const r = await runScript('bench-ingest.ts', [String(SIZES.ingest)], 900);
      return [
        atLeast(
          'ingest rows/s vs COPY',
          num(r.ingestRate),
          'rows/s',
          num(r.copyRate),
          0.3,
          `${r.stored} rows; COPY via psql`,
        ),
      ];
    },
  },
  {
    key: 'analysis',
    title: `analysis: ${SIZES.analysisSmall} and ${SIZES.analysisLarge} messages, ${SIZES.users} users × 200`,
    fallback: [
      ['analysis 100k time', 's', '≤ 60 s'],
      ['analysis large time', 's', '≤ 60 s'],
      ['analysis users/s', 'users/s', 'informational'],
    ],
    run: async () => {
      const out: Row[] = [];
      for (const n of [SIZES.analysisSmall, SIZES.analysisLarge]) {
        const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
        try {
          const r = await runScript('bench-analysis.ts', [String(n), n >= 1_000_000 ? '20000' : '2000'], 900);
          out.push(atMost(`analysis ${label} time`, num(r.seconds), 's', 60, `one user, ${r.people} people`));
          out.push(
            atMost(
              `analysis ${label} peak RSS`,
              num(r.peakRss) / MiB,
              'MiB',
              1024,
              'child process maxRSS, includes the generated input',
            ),
          );
        } catch (error) {
          out.push(
            ...unavailable(
              [
                [`analysis ${label} time`, 's', '≤ 60 s'],
                [`analysis ${label} peak RSS`, 'MiB', '≤ 1024 MiB'],
              ],
              (error as Error).message,
            ),
          );
        }
      }
      const u = await runScript('bench-analysis.ts', ['--users', String(SIZES.users), '200', '50'], 900);
      out.push(
        info(
          'analysis small users',
          num(u.usersPerSecond),
          'users/s',
          `${u.users} users × 200 messages, analysis only (no DB)`,
        ),
      );
      return out;
    },
  },
  {
    key: 'report',
    title: `report: buildReport ×${SIZES.reportRepeats} on the demo mailbox`,
    fallback: [
      ['report per user', 'ms', '≤ 300 ms'],
      ['reports per minute (1 process)', 'reports/min', 'informational'],
    ],
    run: async () => {
      const r = await runScript('bench-report.ts', [String(SIZES.reportRepeats)], 600);
      return [
        atMost(
          'report per user',
          num(r.msPerUser),
          'ms',
          300,
          `build ${num(r.buildMs).toFixed(0)} + render ${num(r.renderMs).toFixed(0)} ms; ${r.people} people`,
        ),
        info(
          'reports per minute (1 process)',
          num(r.reportsPerMinute),
          'reports/min',
          `10k users ≈ ${num(r.tenKUsersMinutes).toFixed(0)} min`,
        ),
      ];
    },
  },
  {
    key: 'query',
    title: `query: /v1/cooling-off, 50 clients, ${SIZES.apiPeople} people, ${SIZES.apiSeconds} s`,
    fallback: [
      ['cooling-off p50', 'ms', 'informational'],
      ['cooling-off p99', 'ms', '≤ 25 ms'],
    ],
    run: async () => {
      const r = await runScript(
        'bench-api.ts',
        [
          '--people',
          String(SIZES.apiPeople),
          '--clients',
          '50',
          '--seconds',
          String(SIZES.apiSeconds),
          '--requests',
          '100000',
        ],
        600,
        // The query plan's body lines; its first line and the figures stay.
        /^\s+(->|Index|Sort|Limit|Planning|Execution|Filter|Rows|Buffers|Heap|Recheck|Presorted|Full-sort)/,
      );
      const floorP99 = (r.floor as { p99?: unknown } | undefined)?.p99;
      const note =
        `50 clients, ${SIZES.apiPeople} people${r.errors ? `, ${r.errors} non-200` : ''}` +
        `${r.throughput ? `, ${r.throughput} req/s` : ''}` +
        `${typeof floorP99 === 'number' ? `; bare-fastify floor p99 ${floorP99} ms on this machine` : ''}`;
      return [
        info('cooling-off p50', num(r.p50), 'ms', note),
        atMost('cooling-off p99', num(r.p99), 'ms', 25, note),
      ];
    },
  },
  {
    key: 'start',
    title: 'start-up: rapport --help, rapport cooling-off on the embedded database, first demo run',
    fallback: [
      ['rapport --help vs bare node', 'ms', '≤ 4 × floor'],
      ['cooling-off vs opening the database', 'ms', '≤ floor + 300 ms'],
      ['first demo run', 's', '≤ 15 s'],
    ],
    run: async () => {
      const r = await runScript('bench-start.ts', [String(quick ? 5 : 11)], 600);
      const demo = r.demo as { seconds: number; load: number[] } | null;
      return [
        withinFactor('rapport --help vs bare node', num(r.helpMs), num(r.nodeMs), 4, 'bare `node -e ""`'),
        withinMargin(
          'cooling-off vs opening the database',
          num(r.coolingOffMs),
          num(r.openMs),
          300,
          `demo mailbox, embedded; floor = bare node opens and closes the same PGlite data directory (${num(r.openLiftoffMs).toFixed(0)} ms with --liftoff-only)`,
        ),
        demo
          ? atMost(
              'first demo run',
              demo.seconds,
              's',
              15,
              `new RAPPORT_HOME; load average ${demo.load.join(' ')}`,
            )
          : unavailable([['first demo run', 's', '≤ 15 s']], 'skipped')[0]!,
      ];
    },
  },
];

console.log(`rapport bench (${quick ? 'quick' : 'full'}) — ${startedAt.toISOString()}`);
console.log(
  `machine: ${before.cores} cores (${before.cpu}), ${before.memoryGiB} GiB, node ${before.node}, ${before.platform}, load average ${before.loadAverage.join(' ')}`,
);
for (const step of steps) {
  if (only && !only.includes(step.key)) continue;
  const s0 = performance.now();
  console.log(`\n▶ ${step.title}`);
  try {
    rows.push(...(await step.run()));
  } catch (error) {
    console.log(`    ✗ ${(error as Error).message}`);
    rows.push(...unavailable(step.fallback, (error as Error).message));
  }
  console.log(`  (${((performance.now() - s0) / 1000).toFixed(0)} s)`);
}
const after = machine();

const fmt = (v: number | null, digits = 1): string =>
  v === null || Number.isNaN(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits);
const table = [
  ['name', 'value', 'unit', 'limit', 'ratio', 'target', 'pass'],
  ...rows.map((r) => [
    r.name,
    fmt(r.value),
    r.unit,
    fmt(r.limit),
    r.ratio === null ? '—' : r.ratio.toFixed(3),
    r.target,
    r.pass === null ? (r.value === null ? 'n/a' : '—') : r.pass ? 'yes' : 'NO',
  ]),
];
const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
console.log('');
for (const [i, row] of table.entries()) {
  console.log(
    row
      .map((cell, c) => (c === 1 || c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  '),
  );
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
for (const r of rows.filter((x) => x.note?.startsWith('not available'))) console.log(`${r.name}: ${r.note}`);

// Furthest from target: how many times too slow/large (≤ budgets) or too low (≥ ratios).
const distance = (r: Row): number => {
  if (r.pass === null || r.ratio === null) return Number.NaN;
  if (r.target.startsWith('ratio ≥')) return Number(r.target.split('≥ ')[1]) / r.ratio;
  return r.ratio;
};
const ranked = rows.filter((r) => !Number.isNaN(distance(r))).sort((a, b) => distance(b) - distance(a));
const worst = ranked[0];
if (worst) {
  console.log(
    `\nfurthest from target: ${worst.name} (${fmt(worst.value)} ${worst.unit}, target ${worst.target}; ${distance(worst).toFixed(1)}× off)`,
  );
}
console.log(
  `machine at end: load average ${after.loadAverage.join(' ')}; total ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);

mkdirSync(path.join(root, 'out'), { recursive: true });
writeFileSync(path.join(root, 'out', 'bench.json'), `${JSON.stringify(rows, null, 2)}\n`);
writeFileSync(
  path.join(root, 'out', 'bench-machine.json'),
  `${JSON.stringify({ mode: quick ? 'quick' : 'full', startedAt: startedAt.toISOString(), before, after, seconds: (performance.now() - t0) / 1000, sizes: SIZES }, null, 2)}\n`,
);
console.log('wrote out/bench.json (rows) and out/bench-machine.json (machine notes, sizes)');
