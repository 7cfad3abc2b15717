/** The queue dashboard: real Redis queues behind Bull Board, read-only unless asked, and the CLI that runs it. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard } from '../../../worker/jobs/board.js';
import { openQueues, type Queues } from '../../../worker/jobs/queues.js';
import { artifactPath, launchChromium } from '../../support/chromium.js';
import { rapport } from '../../support/cli.js';
import { freePort } from '../../support/net.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

const prefix = uniquePrefix('board');
const ACCOUNT = '6f0c3c1e-2b5d-4c1a-9f7e-3d2a1b0c9e8f';
let queues: Queues;

beforeAll(async () => {
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  await queues.sync.add('sync', { accountId: ACCOUNT });
});
afterAll(async () => {
  await queues?.close();
});

interface QueuesResponse {
  queues: {
    name: string;
    readOnlyMode: boolean;
    counts: Record<string, number>;
    jobs: { data: unknown }[];
  }[];
}

describe('queue dashboard', () => {
  it('lists the three queues with their jobs and refuses changes in read-only mode', async () => {
    const board = await buildBoard(queues);
    try {
      const page = await board.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Rapport queues');
      // The page's own scripts come from this server (the UI is bundled with the package).
      const script = page.body.match(/src="(static\/js\/main\.[^"]+\.js)"/)?.[1];
      expect(script).toBeDefined();
      expect((await board.inject({ method: 'GET', url: `/${script}` })).statusCode).toBe(200);

      const listed = await board.inject({
        method: 'GET',
        url: '/api/queues?activeQueue=sync&status=waiting',
      });
      expect(listed.statusCode).toBe(200);
      const body = listed.json<QueuesResponse>();
      expect(body.queues.map((q) => q.name).sort()).toEqual(['analyze', 'report', 'sync']);
      const sync = body.queues.find((q) => q.name === 'sync')!;
      expect(sync.readOnlyMode).toBe(true);
      expect(sync.counts.waiting).toBe(1);
      expect(sync.jobs.map((j) => j.data)).toEqual([{ accountId: ACCOUNT }]);

      const retry = await board.inject({ method: 'PUT', url: '/api/queues/sync/retry/failed' });
      expect(retry.statusCode).toBe(405);
    } finally {
      await board.close();
    }
  });

  it('renders in a browser under its CSP, with nothing fetched from elsewhere', async () => {
    const board = await buildBoard(queues);
    const browser = await launchChromium('the queue dashboard cannot be rendered');
    try {
      const address = await board.listen({ host: '127.0.0.1', port: 0 });
      const page = await browser.newPage();
      const foreign: string[] = [];
      const violations: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(address)) foreign.push(request.url());
      });
      page.on('console', (message) => {
        if (/Content Security Policy/.test(message.text()) && !/fonts\.googleapis/.test(message.text()))
          violations.push(message.text());
      });
      const response = await page.goto(`${address}/`);
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await page.getByText('sync', { exact: true }).first().click({ timeout: 15_000 });
      // The queue's page lists its one waiting job, with the account id as its data.
      await page.getByText(ACCOUNT).first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: await artifactPath('board.png'), fullPage: true });
      expect(foreign).toEqual([]);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await board.close();
    }
  }, 60_000);

  it('with manage, the same action is allowed', async () => {
    const board = await buildBoard(queues, { manage: true });
    try {
      const retry = await board.inject({ method: 'PUT', url: '/api/queues/sync/retry/failed' });
      expect(retry.statusCode).toBe(200);
    } finally {
      await board.close();
    }
  });
});

describe('rapport board', () => {
  it('serves the dashboard on loopback until SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [path.resolve(import.meta.dirname, '../../../bin/rapport.js'), 'board', '--port', String(port)],
      {
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: TEST_REDIS_URL,
          QUEUE_PREFIX: prefix,
          LOG_LEVEL: 'silent',
        },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await expect
        .poll(() => out, { timeout: 20_000, interval: 100 })
        .toContain(`queue dashboard on http://127.0.0.1:${port} (read-only`);
      const response = await fetch(`http://127.0.0.1:${port}/api/queues?activeQueue=sync&status=waiting`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as QueuesResponse;
      expect(body.queues.find((q) => q.name === 'sync')?.counts.waiting).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('rejects a bad port and a missing REDIS_URL with a usage error', async () => {
    const badPort = await rapport(['board', '--port', 'http'], { REDIS_URL: TEST_REDIS_URL });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port: must be a number/);
    const noRedis = await rapport(['board']);
    expect(noRedis.code).toBe(2);
    expect(noRedis.stderr).toMatch(/needs REDIS_URL/);
  });
});
