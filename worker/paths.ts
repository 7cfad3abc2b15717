/**
 * Files that ship beside the code (migrations, the embedded-database template), found from the project
 * root. The root is looked up from this module's own location, so it is the same whether the code runs
 * from worker/ (tsx) or from a bundled chunk in dist/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prisma'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`rapport: no project root above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
export const TEMPLATE_FILE = path.join(PROJECT_ROOT, 'dist', 'pgdata-template.tar.gz');
