/**
 * A module resolve hook for a child process: every specifier anything in it asks for is appended to a
 * log file. Tests use it to prove a command never loads a heavy package.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ResolveLog {
  /** NODE_OPTIONS for the child process. */
  nodeOptions: string;
  clear(): Promise<void>;
  specifiers(): Promise<Set<string>>;
}

export async function resolveLog(): Promise<ResolveLog> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rapport-resolve-'));
  const log = path.join(dir, 'resolved.log');
  const hooks = path.join(dir, 'hooks.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
  return next(specifier, context);
}`,
  );
  const preload = path.join(dir, 'preload.mjs');
  await writeFile(
    preload,
    `import { register } from 'node:module'; register(${JSON.stringify(`file://${hooks}`)});`,
  );
  await writeFile(log, '');
  return {
    nodeOptions: `--import=${preload}`,
    clear: () => writeFile(log, ''),
    specifiers: async () => new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean)),
  };
}
