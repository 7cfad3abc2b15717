#!/usr/bin/env node
// The `rapport` command. It runs the plain JavaScript in dist/ (built by `npm ci` / `npm run build`), so a
// command starts without compiling anything. When a source file in worker/ is newer than that build (a
// developer's checkout), it runs the TypeScript through tsx instead, so it never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.built');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

const sources = path.join(root, 'worker');
const built = existsSync(stamp) && (!existsSync(sources) || newestSource(sources) <= statSync(stamp).mtimeMs);
if (built) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../worker/cli.ts');
}
