// `npm run build` (also run by `npm ci`/`npm install` after the Prisma client is generated): worker/ → dist/
// as plain JavaScript, so `rapport`, `rapport worker` and `rapport serve` start without compiling TypeScript
// at every run. esbuild strips types (type checking is `npm run typecheck`) and bundles the code with the
// few small libraries every command loads (BUNDLED below): Node resolves and reads one file per chunk instead
// of hundreds, which is a third of a query command's start-up. Lazy `import()`s stay separate chunks, so
// `rapport --help` still loads no provider SDK, server or renderer. Everything else stays in node_modules:
// packages that find their own files at run time (PGlite's WebAssembly, Prisma's runtime, BullMQ's Lua
// scripts, resvg's native binary) must.

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'worker');
const out = path.join(root, 'dist');

/** Pure-JavaScript libraries on every command's path, bundled with their own dependencies. */
const BUNDLED = new Set(['commander', 'zod', 'pg', '@prisma/adapter-pg', 'pino']);
/** The entry points: the CLI, and the two modules this script itself loads from dist/. */
const ENTRIES = ['cli.ts', 'db/migrate.ts', 'db/embedded-template.ts'];

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const selectiveBundle = {
  name: 'selective-bundle',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { external: true };
      // Inside a bundled library: bundle what it imports too. From our code: only the chosen libraries.
      if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return BUNDLED.has(packageName(args.path)) ? undefined : { external: true };
    });
  },
};

// The embedded-database template takes ~10 s to make; it survives a rebuild while its inputs are the same.
const TEMPLATE = 'pgdata-template.tar.gz';
const TEMPLATE_KEY = 'pgdata-template.key';

const started = performance.now();
await mkdir(out, { recursive: true });
for (const entry of await readdir(out)) {
  if (entry !== TEMPLATE && entry !== TEMPLATE_KEY)
    await rm(path.join(out, entry), { recursive: true, force: true });
}
await build({
  entryPoints: ENTRIES.map((f) => path.join(src, f)),
  outdir: out,
  outbase: src,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  supported: { 'import-attributes': true },
  plugins: [selectiveBundle],
  // CommonJS libraries inside an ES module bundle still expect require and __dirname.
  banner: {
    js: [
      "import { createRequire as __rapportRequire } from 'node:module';",
      "import { fileURLToPath as __rapportPath } from 'node:url';",
      'const require = __rapportRequire(import.meta.url);',
      'const __filename = __rapportPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join(' '),
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`built dist/ from worker/ in ${Math.round(performance.now() - started)} ms`);

// A migrated, empty embedded database for first runs (worker/db/embedded-template.ts). Keyed by the PGlite
// version and the migrations, so it is remade exactly when either changes.
const { listMigrations } = await import('../dist/db/migrate.js');
const { writeTemplate, TEMPLATE_FILE } = await import('../dist/db/embedded-template.js');
const pglite = JSON.parse(
  await readFile(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
);
const key = JSON.stringify({
  pglite: pglite.version,
  migrations: (await listMigrations()).map((m) => m.checksum),
});
const keyFile = path.join(out, TEMPLATE_KEY);
const current = await readFile(keyFile, 'utf8').catch(() => '');
if (current !== key || !existsSync(TEMPLATE_FILE)) {
  const t = performance.now();
  await writeTemplate();
  await writeFile(keyFile, key);
  console.log(`made the embedded database template in ${Math.round(performance.now() - t)} ms`);
}
// Written last: bin/rapport runs dist/ only once everything above is in place.
await writeFile(path.join(out, '.built'), new Date().toISOString());
