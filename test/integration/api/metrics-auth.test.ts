/** /metrics on the public port: only with METRICS_TOKEN set, and only for a scraper that sends it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startTestServer, type TestServer } from './api-support.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
let db: TestDatabase;
let open: TestServer;
let guarded: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  open = await startTestServer({ db });
  guarded = await startTestServer({ db, env: { METRICS_TOKEN: TOKEN } });
});

afterAll(async () => {
  await open?.server.close();
  await guarded?.server.close();
  await db?.drop();
});

const scrape = (t: TestServer, authorization?: string) =>
  t.server.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });

describe('/metrics', () => {
  it('without METRICS_TOKEN is not served: 404, token or not', async () => {
    for (const auth of [undefined, `Bearer ${TOKEN}`]) {
      const res = await scrape(open, auth);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('rapport_');
    }
    // The rest of the server is unaffected.
    expect((await open.server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('with METRICS_TOKEN needs that bearer token', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await scrape(guarded, auth);
      expect(res.statusCode, String(auth)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('rapport_');
    }
    const ok = await scrape(guarded, `Bearer ${TOKEN}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.body).toContain('rapport_accounts{status="active"}');
  });

  it('the setting must be long enough to be a secret', async () => {
    await expect(startTestServer({ db, env: { METRICS_TOKEN: 'short' } })).rejects.toThrow(
      /METRICS_TOKEN: must be at least 32 characters/,
    );
  });
});
