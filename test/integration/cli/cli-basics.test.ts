import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyAsk } from '../../../worker/analysis/ask-classifier.js';
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

describe('rapport asks --classify', () => {
  const lines = ['Can you review the draft by Friday?', 'Q3 forecast', 'Conf. Call re: budget', 'Lunch?'];

  it('prints one JSON line per input line, judged as subject lines like ingest does', async () => {
    const { code, stdout } = await rapport(['asks', '--classify'], {}, `${lines.join('\n')}\n`);
    expect(code).toBe(0);
    const out = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; ask: boolean; score: number });
    expect(out.map((o) => o.text)).toEqual(lines);
    for (const o of out) {
      const expected = classifyAsk(o.text, 'subject');
      expect(o.ask).toBe(expected.ask);
      expect(o.score).toBeCloseTo(expected.score, 3);
    }
    expect(out[0]!.ask).toBe(true);
    expect(out[1]!.ask).toBe(false);
  });

  it('--kind sentence judges sentences; an unknown kind is a usage error', async () => {
    const sentence = await rapport(
      ['asks', '--classify', '--kind', 'sentence'],
      {},
      'Please find my notes attached.\n',
    );
    expect(sentence.code).toBe(0);
    const [o] = sentence.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { score: number });
    expect(o!.score).toBeCloseTo(classifyAsk('Please find my notes attached.', 'sentence').score, 3);
    const bad = await rapport(['asks', '--classify', '--kind', 'poem'], {}, 'x\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/poem/);
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

  it('serves one process at a time: a second one is told who holds the home; a dead holder is replaced', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'rapport-lock-'));
    const first = await openDatabase({ rapportHome: home });
    try {
      const second = await rapport(['people', '--user', 'alice@example.com'], { RAPPORT_HOME: home });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`${home} is in use by`);
      expect(second.stderr).toContain(`(pid ${process.pid},`);
      expect(second.stderr).not.toMatch(/internal error/);
    } finally {
      await first.close();
    }
    // A lock left by a process that no longer exists is taken over.
    await writeFile(
      path.join(home, 'rapport.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, command: 'rapport serve', since: '' }),
    );
    const after = await rapport(['people', '--user', 'alice@example.com'], { RAPPORT_HOME: home });
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/no data for alice@example.com yet/);
  }, 120_000);
});
