import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../worker/config.js';

describe('config', () => {
  it('has working defaults for the embedded mode', () => {
    const config = parseConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.rapportHome).toMatch(/\.rapport$/);
    expect(config.GOOGLE_QUOTA_UNITS_PER_SECOND).toBe(250);
  });

  it('coerces numbers and treats empty strings as unset', () => {
    const config = parseConfig({ HTTP_PORT: '9090', DATABASE_URL: '' });
    expect(config.HTTP_PORT).toBe(9090);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('a bad value fails with one line naming the variable', () => {
    let error: unknown;
    try {
      parseConfig({ HTTP_PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^config: HTTP_PORT: .*"eighty"/);
  });

  it('reports every bad variable at once, without echoing secrets', () => {
    expect(() =>
      parseConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x', WORKER_CONCURRENCY: '0', LOG_LEVEL: 'loud' }),
    ).toThrowError(
      expect.objectContaining({
        message: expect.stringMatching(
          /DATABASE_URL[\s\S]*WORKER_CONCURRENCY|WORKER_CONCURRENCY[\s\S]*DATABASE_URL/,
        ),
      }),
    );
    try {
      parseConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x', WORKER_CONCURRENCY: '0', LOG_LEVEL: 'loud' });
    } catch (e) {
      const lines = (e as Error).message.split('\n');
      expect(lines).toHaveLength(3);
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('validates the token key list format', () => {
    expect(() => parseConfig({ TOKEN_ENCRYPTION_KEYS: 'no-colon' })).toThrow(/TOKEN_ENCRYPTION_KEYS/);
    expect(
      parseConfig({ TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}` })
        .TOKEN_ENCRYPTION_KEYS,
    ).toBeDefined();
    // Well-formed but 16 bytes: refused here, not later as an internal error when a token is sealed.
    expect(() => parseConfig({ TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(16).toString('base64')}` })).toThrow(
      /TOKEN_ENCRYPTION_KEYS: every key must be 32 bytes/,
    );
  });

  it('requires real token keys in production, and an existing Microsoft CA file', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /TOKEN_ENCRYPTION_KEYS: required when NODE_ENV=production/,
    );
    expect(
      parseConfig({
        NODE_ENV: 'production',
        TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
      }).NODE_ENV,
    ).toBe('production');
    expect(() => parseConfig({ MICROSOFT_CA_FILE: '/nonexistent/ca.pem' })).toThrow(
      /MICROSOFT_CA_FILE: no such file/,
    );
    expect(parseConfig({ MICROSOFT_CA_FILE: import.meta.filename }).MICROSOFT_CA_FILE).toBe(
      import.meta.filename,
    );
  });

  it('reads TRUST_PROXY as a hop count or a list of proxy addresses', () => {
    expect(parseConfig({}).TRUST_PROXY).toBeUndefined();
    expect(parseConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(() => parseConfig({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
  });

  it('reads the Microsoft settings with a working default authority', () => {
    expect(parseConfig({}).MICROSOFT_AUTHORITY).toBe('https://login.microsoftonline.com/common');
    expect(() => parseConfig({ MICROSOFT_REQUESTS_PER_SECOND: '50' })).toThrow(
      /MICROSOFT_REQUESTS_PER_SECOND/,
    );
    expect(parseConfig({ JOB_LOCK_SECONDS: '3' }).JOB_LOCK_SECONDS).toBe(3);
  });
});
