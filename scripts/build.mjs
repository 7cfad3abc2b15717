// `npm run build` (also run by `npm ci`/`npm install` after the Prisma client is generated): worker/ → dist/
// as plain JavaScript, one file per source file, so `rapport`, `rapport worker` and `rapport serve` start
// without compiling TypeScript at every run. esbuild only strips types (no bundling, no type check: that is
// `npm run typecheck`); the .json files the code imports are copied beside the output.
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'worker');
const out = path.join(root, 'dist');

async function files(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await files(full)));
    else found.push(full);
  }
  return found;
}

const started = performance.now();
const all = await files(src);
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: all.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
  outdir: out,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  supported: { 'import-attributes': true },
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const file of all.filter((f) => !f.endsWith('.ts'))) {
  const to = path.join(out, path.relative(src, file));
  await mkdir(path.dirname(to), { recursive: true });
  await cp(file, to);
}
const { writeFile } = await import('node:fs/promises');
await writeFile(path.join(out, '.built'), new Date().toISOString());
console.log(`built dist/ from worker/ in ${Math.round(performance.now() - started)} ms`);
