import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../../worker/config.js';

const root = path.resolve(import.meta.dirname, '../../..');
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('has the full stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'board',
      'mailpit',
      'migrate',
      'postgres',
      'redis',
      'worker',
    ]);
  });

  it('every app env name is a config variable', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of ['api', 'worker', 'migrate', 'board']) {
      const env = compose.services[name]?.environment ?? {};
      expect(Object.keys(env).length).toBeGreaterThan(5);
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
    }
  });

  it('app services point at the compose hosts and ports', () => {
    const env = compose.services.api?.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(compose.services.api?.ports).toContain(`127.0.0.1:${env.HTTP_PORT}:8080`);
    expect(compose.services.api?.command).toEqual(['node', 'bin/rapport.js', 'serve']);
    expect(compose.services.worker?.command).toEqual(['node', 'bin/rapport.js', 'worker']);
    // The dashboard has no login: reachable from the host's loopback only.
    expect(compose.services.board?.ports).toEqual(['127.0.0.1:3001:3001']);
    expect(compose.services.board?.command).toEqual(
      expect.arrayContaining(['node', 'bin/rapport.js', 'board', '--port', '3001']),
    );
    expect(compose.services.board?.command).not.toContain('--manage');
  });

  it('infrastructure has health checks and named volumes, and apps wait for them', () => {
    for (const name of ['postgres', 'redis', 'mailpit', 'api']) {
      expect(compose.services[name]?.healthcheck, name).toBeDefined();
    }
    expect(Object.keys(compose.volumes).sort()).toEqual(['pgdata', 'redisdata']);
    expect(compose.services.worker?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(compose.services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('.env.example documents every config variable', () => {
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    for (const key of Object.keys(configSchema.shape)) expect(example).toMatch(new RegExp(`^${key}=`, 'm'));
  });
});
