/**
 * Structured logs (pino). Tokens, addresses and subjects never reach info-level output: known sensitive
 * keys are redacted wherever they appear, and callers log ids, not people.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

const REDACT = [
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.code',
  '*.codeVerifier',
  '*.email',
  '*.address',
  '*.subject',
  '*.authorization',
  'refreshToken',
  'accessToken',
  'email',
];

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined }, destination);
}
