/**
 * `npm run demo` — the main job end to end on the embedded default (no Docker, Postgres or Redis).
 * Grows with the product: today it opens (and on first run creates) the embedded database.
 */
import { openApp } from '../worker/app.js';
import { loadConfig } from '../worker/config.js';

const app = await openApp(loadConfig());
try {
  const users = await app.db.prisma.user.count();
  console.log(`embedded database ready in ${app.config.rapportHome}`);
  console.log(users === 0 ? 'no data yet' : `${users} user(s) stored`);
} finally {
  await app.close();
}
