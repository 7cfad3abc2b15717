/**
 * Weekly report cost per user: imports the demo mailbox (scripts/demo-data/dasovich-j.mbox.gz plus its
 * calendar) into a scratch database on the Postgres server (DATABASE_URL, default the local test server),
 * analyses it as of two consecutive weeks (so the report has a previous run to compare against), then
 * times buildReport (load + compose from the database, render HTML/text and rasterise the charts) N times.
 *
 *   npx tsx scripts/bench-report.ts [repeats=20] [--keep]
 *
 * Prints the mean/p50/max per report, split into build and render, and extrapolates reports/minute and
 * the wall time for 10k users on one worker process (sequential; no queue or SMTP overhead).
 * The last line is `BENCH_RESULT {json}`.
 */
import path from 'node:path';
import { createTestDatabase } from '../test/support/database.js';
import { importFiles } from '../worker/ingest/import-files.js';
import { analyzeUser } from '../worker/relationships/analyze-user.js';
import { buildReport } from '../worker/report/render-report.js';
import { findOrCreateUser } from '../worker/users.js';

const USER_EMAIL = 'jeff.dasovich@enron.com';
const AS_OF = new Date('2001-12-15T00:00:00Z');
const DATA = path.join(import.meta.dirname, 'demo-data');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const repeats = Number(args.find((a) => !a.startsWith('--')) ?? 20);
  if (!Number.isInteger(repeats) || repeats <= 0) {
    console.error('usage: tsx scripts/bench-report.ts [repeats>0] [--keep]');
    process.exit(2);
  }
  const db = await createTestDatabase({ prefix: 'rapport_bench_report' });
  try {
    const prisma = db.prisma;
    const user = await findOrCreateUser(prisma, USER_EMAIL);
    const t0 = performance.now();
    const summary = await importFiles(
      prisma,
      { user },
      {
        mbox: [path.join(DATA, 'dasovich-j.mbox.gz')],
        maildir: [],
        ics: [path.join(DATA, 'demo-calendar.ics')],
      },
      { icsWindow: { from: new Date('2001-01-01T00:00:00Z'), to: new Date('2002-12-31T00:00:00Z') } },
    );
    const previous = await analyzeUser(prisma, user, new Date(AS_OF.getTime() - 7 * 86_400_000));
    const run = await analyzeUser(prisma, user, AS_OF);
    console.log(
      `setup: ${summary.total.stored} messages imported, ${run.people} people analysed ` +
        `(previous run ${previous.people}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    await buildReport(prisma, user, AS_OF); // warm-up: font loading, Prisma query compilation
    const totals: number[] = [];
    const builds: number[] = [];
    const renders: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      const report = await buildReport(prisma, user, AS_OF);
      totals.push(performance.now() - started);
      builds.push(report.millis.build);
      renders.push(report.millis.render);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sorted = [...totals].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    const max = sorted[sorted.length - 1] ?? Number.NaN;
    const msPerUser = mean(totals);
    const perMinute = 60_000 / msPerUser;
    const tenKMinutes = (10_000 * msPerUser) / 60_000;
    console.log(
      `buildReport ×${repeats}: mean ${msPerUser.toFixed(0)} ms (build ${mean(builds).toFixed(0)} + render ${mean(renders).toFixed(0)}), ` +
        `p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms`,
    );
    console.log(
      `one worker process: ${perMinute.toFixed(0)} reports/min → 10k users in ${tenKMinutes.toFixed(1)} min`,
    );
    console.log(
      `BENCH_RESULT ${JSON.stringify({
        repeats,
        messages: summary.total.stored,
        people: run.people,
        msPerUser,
        buildMs: mean(builds),
        renderMs: mean(renders),
        p50Ms: p50,
        maxMs: max,
        reportsPerMinute: perMinute,
        tenKUsersMinutes: tenKMinutes,
      })}`,
    );
  } finally {
    if (keep) {
      await db.close();
      console.log(`kept database ${db.name}`);
    } else await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
