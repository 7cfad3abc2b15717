/** /healthz and /metrics: no token needed, nothing personal, Prometheus text that parses. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateUser } from '../../../worker/users.js';
import { startTestServer, type TestServer } from './api-support.js';

let t: TestServer;
let queueStatsFail = false;

beforeAll(async () => {
  t = await startTestServer({
    queueStats: async () => {
      if (queueStatsFail) throw new Error('redis away');
      return {
        sync: { waiting: 3, active: 1, failed: 2, delayed: 0 },
        report: { waiting: 0, active: 0, failed: 0, delayed: 5 },
      };
    },
  });
  const prisma = t.db.prisma;
  const user = await findOrCreateUser(prisma, 'ops@example.com');
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  await prisma.account.createMany({
    data: [
      {
        userId: user.id,
        provider: 'google',
        externalId: 'a@example.com',
        status: 'active',
        lastSyncAt: ago(60),
      },
      {
        userId: user.id,
        provider: 'google',
        externalId: 'b@example.com',
        status: 'active',
        lastSyncAt: ago(180),
      },
      {
        userId: user.id,
        provider: 'microsoft',
        externalId: 'c@example.com',
        status: 'needs_reauth',
        lastSyncAt: ago(7200),
      },
      { userId: user.id, provider: 'files', externalId: 'import', status: 'active' },
    ],
  });
  await prisma.analysisRun.create({
    data: { userId: user.id, asOf: new Date(), peopleCount: 0, followUps: [] },
  });
});

afterAll(async () => {
  await t?.close();
});

/** name{labels} value → one entry per sample; throws on any line that is not comment or sample. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const raw = match[3] ?? '';
    if (!/^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|NaN|Nan|[-+]Inf)$/.test(raw))
      throw new Error(`bad value in: ${line}`);
    const value = Number(raw.replace(/^Nan$/, 'NaN').replace(/Inf$/, 'Infinity'));
    samples.set(`${match[1]}${match[2] ?? ''}`, value);
  }
  return samples;
}

describe('/healthz', () => {
  it('pings the database', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('/metrics', () => {
  it('is Prometheus text with accounts, sync lag, queues and runs', async () => {
    await t.server.inject({ method: 'GET', url: '/healthz' });
    const res = await t.server.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(res.body);
    expect(m.get('rapport_accounts{status="active"}')).toBe(3);
    expect(m.get('rapport_accounts{status="needs_reauth"}')).toBe(1);
    expect(m.get('rapport_accounts{status="disabled"}')).toBe(0);
    expect(m.get('rapport_accounts_never_synced{status="active"}')).toBe(1);
    expect(m.get('rapport_sync_lag_max_seconds{status="active"}')).toBeGreaterThanOrEqual(180);
    expect(m.get('rapport_sync_lag_max_seconds{status="active"}')).toBeLessThan(240);
    expect(m.get('rapport_sync_lag_avg_seconds{status="active"}')).toBeGreaterThanOrEqual(120);
    expect(m.get('rapport_sync_lag_max_seconds{status="needs_reauth"}')).toBeGreaterThanOrEqual(7200);
    expect(m.has('rapport_sync_lag_max_seconds{status="disabled"}')).toBe(false);
    expect(m.get('rapport_queue_jobs{queue="sync",state="waiting"}')).toBe(3);
    expect(m.get('rapport_queue_jobs{queue="sync",state="failed"}')).toBe(2);
    expect(m.get('rapport_queue_jobs{queue="report",state="delayed"}')).toBe(5);
    expect(m.get('rapport_queue_stats_up')).toBe(1);
    expect(m.get('rapport_analysis_runs')).toBe(1);
    expect(m.get('rapport_analysis_runs_last_24h')).toBe(1);
    expect(
      m.get('rapport_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}'),
    ).toBeGreaterThan(0);
    // Nothing that names a person or mailbox.
    expect(res.body).not.toMatch(/@example\.com/);
  });

  it('still answers when the queue statistics cannot be read', async () => {
    queueStatsFail = true;
    try {
      const m = parsePrometheus((await t.server.inject({ method: 'GET', url: '/metrics' })).body);
      expect(m.get('rapport_queue_stats_up')).toBe(0);
      expect(m.get('rapport_accounts{status="active"}')).toBe(3);
    } finally {
      queueStatsFail = false;
    }
  });
});
