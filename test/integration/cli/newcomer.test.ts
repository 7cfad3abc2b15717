/**
 * The rough edges a first-time user met (issue #19): every one answers with one clear line and the right
 * exit code, never a stack trace, and human output stays apart from logs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rapport } from '../../support/cli.js';

const root = path.resolve(import.meta.dirname, '../../..');
const USER = 'k..allen@enron.com';
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rapport-newcomer-'));
  env = { RAPPORT_HOME: path.join(dir, 'home') };
  const mbox = path.join(root, 'test/fixtures/mail/enron-inboxes-sample.mbox.gz');
  const imported = await rapport(['import', '--user', USER, '--mbox', mbox], env);
  expect(imported.code).toBe(0);
}, 120_000);

/** A failure a person can act on: the expected code, the line, and no stack trace. */
function expectClearFailure(r: { code: number; stderr: string }, code: number, line: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(line);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('clear messages', () => {
  it('--limit 0 names the allowed range', async () => {
    const r = await rapport(['cooling-off', '--user', USER, '--limit', '0'], env);
    expectClearFailure(r, 2, /--limit: must be a whole number from 1 to 1000/);
  });

  it('an unknown provider names the choices, not a --provider flag that does not exist', async () => {
    const r = await rapport(['connect', 'yahoo', '--user', USER], env);
    expectClearFailure(r, 2, /unknown provider 'yahoo': use google or microsoft/);
    expect(r.stderr).not.toContain('--provider');
  });

  it('a file that is not a calendar is reported as skipped, not read as an empty calendar', async () => {
    const vcard = path.join(dir, 'contact.ics');
    await writeFile(vcard, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n');
    const r = await rapport(['import', '--user', USER, '--ics', vcard], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped 1 × invalid iCalendar/);
  });

  it('report --out naming a file is bad input, not EEXIST', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, 'keep me');
    const r = await rapport(['report', '--user', USER, '--as-of', '2001-06-01', '--out', file], env);
    expectClearFailure(r, 2, /--out .*not-a-dir is not a directory/);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  }, 60_000);

  it('report --out never writes through a symbolic link planted as one of its files', async () => {
    const out = path.join(dir, 'out');
    const target = path.join(dir, 'precious.txt');
    await writeFile(target, 'precious');
    const first = await rapport(['report', '--user', USER, '--as-of', '2001-06-01', '--out', out], env);
    expect(first.code).toBe(0);
    // Rewriting an earlier report's own files is fine (the second run below rewrites report.html);
    // a link in their place is refused.
    await rm(path.join(out, 'report.txt'));
    await symlink(target, path.join(out, 'report.txt'));
    const r = await rapport(['report', '--user', USER, '--as-of', '2001-06-01', '--out', out], env);
    expectClearFailure(r, 2, /report\.txt is a symbolic link; not writing through it/);
    expect(await readFile(target, 'utf8')).toBe('precious');
  }, 60_000);

  it('serve on a port in use says so in one line', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await rapport(['serve'], { ...env, HTTP_PORT: String(port) });
      expectClearFailure(r, 2, new RegExp(`127\\.0\\.0\\.1:${port} is already in use.*HTTP_PORT`));
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('an empty cooling-off list says what was looked at and what kept people off it', async () => {
    const before = await rapport(['cooling-off', '--user', USER, '--as-of', '2000-01-01'], env);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^nobody is cooling off as of 2000-01-01 00:00 UTC: no people yet/);
    // Long after the mail ends everyone is past "recently active": the answer says so, with the counts.
    const after = await rapport(['cooling-off', '--user', USER, '--as-of', '2003-01-01'], env);
    expect(after.code).toBe(0);
    const [head, tooLittle, inRhythm] = after.stdout.split('\n');
    const people = Number(/Looked at (\d+) people/.exec(head ?? '')?.[1]);
    expect(people).toBeGreaterThan(5);
    expect(tooLittle).toBe(
      `  ${people} with fewer than 3 interactions in the last 6 months (too little recent contact to judge a rhythm)`,
    );
    expect(inRhythm).toMatch(
      /^ {2}0 still within their usual rhythm \(chance of 90 days' silence below 70 %\)$/,
    );
  }, 60_000);
});

describe('output and logs apart', () => {
  it('serve prints its own lines on stdout and its logs (JSON off a terminal) on stderr only', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    probe.close();
    const child = spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'serve'], {
      env: { PATH: process.env.PATH ?? '', ...env, HTTP_PORT: String(port) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('listening on') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await fetch(`http://127.0.0.1:${port}/healthz`);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(stdout).toContain(`rapport serve: listening on http://127.0.0.1:${port}`);
    for (const line of stdout.trim().split('\n')) expect(line).toMatch(/^rapport serve: /);
    // The server's own log lines went to stderr, as JSON because stderr is not a terminal here.
    const logs = stderr.trim().split('\n').filter(Boolean);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);
});
