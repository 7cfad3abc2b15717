/**
 * `npm run openapi [-- --out FILE] [-- --server URL]`: writes the OpenAPI 3.1 description of /v1 (the
 * one `GET /v1/openapi.json` serves, generated from the zod schemas in worker/api/) to docs/openapi.json,
 * or to FILE (`-` for stdout). `--server` puts a server URL in it (the served document carries PUBLIC_URL).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openApiDocument } from '../worker/api/openapi.js';

const { values } = parseArgs({
  options: { out: { type: 'string' }, server: { type: 'string' } },
});
const out = values.out ?? path.resolve(import.meta.dirname, '../docs/openapi.json');
const text = `${JSON.stringify(openApiDocument(values.server ? { serverUrl: values.server } : {}), null, 2)}\n`;
if (out === '-') process.stdout.write(text);
else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
