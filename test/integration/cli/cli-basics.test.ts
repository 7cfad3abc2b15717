import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../worker/db/database.js';
import { rapport } from '../../support/cli.js';

describe('rapport CLI basics', () => {
  it('--help lists every command', async () => {
    const { code, stdout } = await rapport(['--help']);
    expect(code).toBe(0);
    for (const command of [
      'connect',
      'import',
      'sync',
      'analyze',
      'cooling-off',
      'asks',
      'people',
      'report',
      'worker',
      'serve',
    ]) {
      expect(stdout).toContain(command);
    }
  });

  it('bad input exits 2 with a clear message', async () => {
    const missing = await rapport(['people']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--user/);
    const badEnv = await rapport(['people', '--user', 'a@b.c'], { HTTP_PORT: 'eighty' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/HTTP_PORT/);
  });
});

describe('embedded database', () => {
  it('is created and migrated on first use, separately per RAPPORT_HOME', async () => {
    const homes = [
      await mkdtemp(path.join(os.tmpdir(), 'rapport-a-')),
      await mkdtemp(path.join(os.tmpdir(), 'rapport-b-')),
    ];
    const [a, b] = [
      await openDatabase({ rapportHome: homes[0]! }),
      await openDatabase({ rapportHome: homes[1]! }),
    ];
    try {
      expect(a.embedded).toBe(true);
      await a.prisma.user.create({ data: { email: 'alice@example.com' } });
      expect(await a.prisma.user.count()).toBe(1);
      expect(await b.prisma.user.count()).toBe(0);
      expect(await readdir(path.join(homes[0]!, 'pgdata'))).toContain('PG_VERSION');
    } finally {
      await a.close();
      await b.close();
    }
    // Reopening finds the same data and applies no migration twice.
    const again = await openDatabase({ rapportHome: homes[0]! });
    expect(await again.prisma.user.count()).toBe(1);
    await again.close();
  }, 120_000);
});
