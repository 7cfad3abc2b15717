/**
 * `rapport people … | head`: the reader closing the pipe early is not a failure. The CLI runs as a real
 * child process over a real demo import; its stdout is closed after the first chunk.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { DEMO_USER, importDemo } from '../report/report-support.js';

const root = path.resolve(import.meta.dirname, '../../..');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await importDemo(db);
}, 120_000);
afterAll(() => db?.drop());

describe('rapport output into a pipe that closes early', () => {
  it('exits 0 without an EPIPE error, like any well-behaved Unix filter', async () => {
    // bash reports the exit status of rapport itself, not of head.
    const script = `"${process.execPath}" "${path.join(root, 'bin/rapport.js')}" people --user ${DEMO_USER} --as-of 2001-12-15 --json | head -c 10; echo; echo "rapport exited \${PIPESTATUS[0]}"`;
    const child = spawn('bash', ['--norc', '--noprofile', '-c', script], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stdout.startsWith('['), stdout + stderr).toBe(true);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/rapport exited 0$/m);
  }, 60_000);
});
