/** Real Redis for tests; each test file uses its own key prefix so files never see each other's queues. */
import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `rapport-test-${label}-${randomBytes(4).toString('hex')}`;
}
