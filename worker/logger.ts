/**
 * Structured logs (pino). Tokens, addresses and subjects never reach the output at any level: known
 * sensitive keys are redacted wherever they appear, callers log ids rather than people, and free text
 * that comes from outside (provider and SMTP error messages, which often quote an address or a URL with
 * a cursor) is masked before it is written. Errors are reduced to their type, kind, status, code,
 * message and stack: a provider error's attached response (body, request URL, headers) is never logged.
 */
import { createRequire } from 'node:module';
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

// Bounded parts (RFC 5321 limits), so a long run without separators cannot make the match quadratic.
const ADDRESS = /[^\s<>()"',;:@]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}/gi;
/** Longer free text is cut before masking: a log line needs the gist, not a whole response body. */
const MAX_TEXT = 2_000;
const SECRET_PARAM =
  /\b(access_token|refresh_token|id_token|token|code|code_verifier|client_secret|pageToken|syncToken|deltatoken|skiptoken)=[^&\s"']+/gi;

/** Free text with addresses and secret-looking URL parameters masked. */
export function maskText(text: string): string {
  // Masked before cutting, so the cut can never leave half an address behind.
  const masked = text.replace(ADDRESS, '[address]').replace(SECRET_PARAM, '$1=[redacted]');
  return masked.length > MAX_TEXT ? `${masked.slice(0, MAX_TEXT)}… (${masked.length} characters)` : masked;
}

interface LoggableError extends Error {
  kind?: unknown;
  code?: unknown;
  status?: unknown;
  options?: { status?: unknown };
}

/** The parts of an error worth logging, masked; never its `cause` or attached response. */
export function safeError(value: unknown): Record<string, unknown> {
  if (!(value instanceof Error)) return { message: maskText(String(value)) };
  const error = value as LoggableError;
  const status = error.options?.status ?? error.status;
  return {
    type: error.name,
    message: maskText(error.message),
    ...(typeof error.kind === 'string' ? { kind: error.kind } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof error.code === 'string' || typeof error.code === 'number' ? { code: error.code } : {}),
    ...(error.stack ? { stack: maskText(error.stack) } : {}),
  };
}

const maskReason = (value: unknown) => (typeof value === 'string' ? maskText(value) : value);

/**
 * Logs go to stderr, so a command's own output on stdout stays clean to read and to pipe. On a terminal
 * they are printed as short readable lines (pino-pretty, loaded only then); otherwise as JSON lines for
 * log collectors. Redaction and masking happen before either.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  const tty = destination === process.stderr && process.stderr.isTTY;
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: safeError, error: safeError, reason: maskReason },
      hooks: {
        // The message text is not a serialized field: mask it too, and give a bare error its masked
        // message instead of pino's default (the raw one).
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          const masked = rest.map(maskReason);
          if (first instanceof Error) {
            method.apply(this, [
              { err: first },
              ...(masked.length ? masked : [maskText(first.message)]),
            ] as never);
          } else {
            method.apply(this, [maskReason(first), ...masked] as never);
          }
        },
      },
      base: undefined,
    },
    tty ? prettyStderr() : destination,
  );
}

function prettyStderr(): NodeJS.WritableStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
}
