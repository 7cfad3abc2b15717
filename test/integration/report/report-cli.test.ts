/** `rapport report` as a person runs it: files on disk, --send through a real SMTP server, exit codes. */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { DEMO_USER, importDemo, reportWeekOf, type SmtpSink, startSmtpSink } from './report-support.js';

let db: TestDatabase;
let smtp: SmtpSink;
let env: Record<string, string>;
let out: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await importDemo(db);
  smtp = await startSmtpSink();
  const home = await mkdtemp(path.join(os.tmpdir(), 'rapport-report-cli-'));
  out = path.join(home, 'out');
  env = { DATABASE_URL: db.url, RAPPORT_HOME: home, LOG_LEVEL: 'silent' };
}, 120_000);
afterAll(async () => {
  await smtp?.close();
  await db?.drop();
});

const report = (...extra: string[]) =>
  rapport(['report', '--user', DEMO_USER, '--as-of', '2001-12-15', '--out', out, ...extra], env);

describe('rapport report', () => {
  it('writes report.html, report.txt and the charts, and says where', async () => {
    const r = await report();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('week 2001-W50 (8–14 Dec 2001)');
    expect(r.stdout).toContain(out);
    const files = await readdir(out);
    expect(files).toEqual(
      expect.arrayContaining(['report.html', 'report.txt', 'activity.png', 'trend-1.png']),
    );
    const html = await readFile(path.join(out, 'report.html'), 'utf8');
    // The file is for a browser: images by file name, and each one is there.
    expect(html).not.toContain('cid:');
    for (const [, src] of html.matchAll(/<img src="([^"]+)"/g)) expect(files).toContain(src);
    const text = await readFile(path.join(out, 'report.txt'), 'utf8');
    expect(text).toMatch(/^RAPPORT: your relationships this week\nWeek 50 · 8–14 Dec 2001/);
    expect(text).toContain('HOW YOU KEPT IN TOUCH');
  }, 60_000);

  it('--send without SMTP_URL is bad input (exit 2) with a clear message', async () => {
    const r = await report('--send');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--send needs SMTP_URL/);
  }, 60_000);

  it('--send emails it once; a second --send says it already went out', async () => {
    const first = await rapport(
      ['report', '--user', DEMO_USER, '--as-of', '2001-12-15', '--out', out, '--send'],
      { ...env, SMTP_URL: smtp.url },
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sent to jeff\.dasovich@enron\.com as <report-2001-W50-/);
    const second = await rapport(
      ['report', '--user', DEMO_USER, '--as-of', '2001-12-15', '--out', out, '--send'],
      { ...env, SMTP_URL: smtp.url },
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already went out/);
    expect(smtp.received.filter((m) => reportWeekOf(m) === '2001-W50')).toHaveLength(1);
  }, 60_000);

  it('an unknown user is bad input', async () => {
    const r = await rapport(['report', '--user', 'nobody@example.com', '--out', out], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no data for nobody@example.com/);
  }, 60_000);
});
