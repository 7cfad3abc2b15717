import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

async function checkDrift(cwd: string) {
  return run(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'scripts/check-drift.ts'],
    {
      cwd,
    },
  ).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

describe('migrations vs schema.prisma', () => {
  it('the committed migrations produce exactly the schema', async () => {
    const result = await checkDrift(root);
    expect(result.out).toContain('no drift');
    expect(result.code).toBe(0);
  });

  it('notices a schema change that no migration covers', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'rapport-drift-'));
    for (const entry of ['prisma', 'scripts', 'worker', 'package.json', 'tsconfig.json']) {
      await cp(path.join(root, entry), path.join(copy, entry), { recursive: true });
    }
    await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    const schemaPath = path.join(copy, 'prisma/schema.prisma');
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(
        'timeZone     String   @default("UTC")',
        'timeZone String @default("UTC")\n  nickname String?',
      ),
    );
    const result = await checkDrift(copy);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/ADD COLUMN\s+"nickname"/);
  });
});
