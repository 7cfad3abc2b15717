/**
 * The one place that reads process.env. Every setting is validated here, once, at start; a bad value
 * fails with one line per problem naming the variable, so nothing downstream has to re-check.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseRedisUrl, prefixProblem } from './jobs/redis-url.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z.url().optional();

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Unset: `info` for the long-running worker and server, `warn` for one-shot CLI commands. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** Postgres connection string. Unset → embedded PGlite database under RAPPORT_HOME. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  /**
   * A direct (unpooled) connection to the same database, for migrations only. Set it when DATABASE_URL
   * points at a pooler such as PgBouncer: DDL then neither holds a pooled connection nor meets the
   * pooler's timeouts. Unset → migrations use DATABASE_URL (which also works through PgBouncer).
   */
  DIRECT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  /** Data directory for the embedded database and local state. */
  RAPPORT_HOME: z.string().min(1).default('./.rapport'),
  /**
   * Redis for BullMQ: redis://host:port, a cluster as redis+cluster://seed:port,seed:port…, or a
   * Sentinel group as redis+sentinel://sentinel:port,…/masterName. Unset → jobs run inline.
   */
  REDIS_URL: z
    .string()
    .superRefine((url, ctx) => {
      try {
        parseRedisUrl(url);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional(),
  /** Queue key prefix; Redis Cluster needs a hash tag such as {rapport} (checked at start). */
  QUEUE_PREFIX: z.string().min(1).default('rapport'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  BACKFILL_MONTHS: z.coerce.number().int().min(1).max(600).default(12),
  /**
   * How long a worker's claim on a job (and on an account's sync) lasts without renewal: a killed
   * worker's job is taken over after about this long.
   */
  JOB_LOCK_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** Provider pages per stream in one sync job: a long backfill becomes many short jobs. */
  SYNC_PAGES_PER_JOB: z.coerce.number().int().min(1).max(1000).default(20),
  /**
   * Analysis runs kept per user: the newest this many, plus every run a weekly report was built from.
   * Older ones are swept after each analysis job and each embedded resync (docs/operations.md).
   */
  RUN_RETENTION: z.coerce.number().int().min(2).max(100_000).default(50),
  /** A report stuck in `sending` (its sender died) may be re-sent after this long. */
  REPORT_SEND_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /**
   * 32-byte key(s) for refresh-token encryption, as `keyId:base64key[,keyId:base64key…]`. The first key
   * encrypts; all of them decrypt, so keys can be rotated. Unset in development → a local key file.
   */
  TOKEN_ENCRYPTION_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, 'must be keyId:base64[,…]')
    .refine(
      (spec) =>
        spec.split(',').every((part) => Buffer.from(part.split(':')[1] ?? '', 'base64').length === 32),
      'every key must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
    )
    .optional(),
  /**
   * Bearer token Prometheus must send for /metrics (`Authorization: Bearer <token>`). Unset → /metrics
   * answers 404: the fleet numbers are not served to anyone who can reach the public port.
   */
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /**
   * Reverse proxies in front of `rapport serve` whose X-Forwarded-For to believe: a hop count (1 = one
   * proxy) or a comma-separated list of proxy addresses/CIDRs. Unset → none: the peer address is the
   * client (rate limits would otherwise key on a header anyone can send).
   */
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'must be a hop count or a list of addresses/CIDRs',
    )
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v.split(',').map((s) => s.trim())))
    .optional(),
  /**
   * Host names `rapport board` answers to besides loopback and the address it listens on, comma-separated
   * (e.g. `board.internal`): any other Host header is refused, so a web page cannot reach the dashboard
   * through DNS rebinding.
   */
  BOARD_ALLOWED_HOSTS: z
    .string()
    .regex(
      /^\s*([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(\s*,\s*([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]))*\s*$/,
      'must be host names (no port or scheme), comma-separated',
    )
    .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()))
    .optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Overrides for the provider emulator (tests, demo). Unset → Google's real endpoints. */
  GOOGLE_API_ROOT: optionalUrl,
  GOOGLE_AUTH_URL: optionalUrl,
  GOOGLE_TOKEN_URL: optionalUrl,
  GOOGLE_REVOKE_URL: optionalUrl,
  GOOGLE_QUOTA_UNITS_PER_SECOND: z.coerce.number().positive().default(250),
  MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  /** `https://login.microsoftonline.com/{tenant}`; `common` accepts work and personal accounts. */
  MICROSOFT_AUTHORITY: z.url().default('https://login.microsoftonline.com/common'),
  /** Graph root; set to the emulator's URL in tests and the demo. */
  MICROSOFT_GRAPH_URL: optionalUrl,
  /** PEM file with extra CA certificate(s) to trust for Microsoft endpoints (the emulator's). */
  MICROSOFT_CA_FILE: z.string().min(1).refine(existsSync, 'no such file').optional(),
  /** Graph requests per second per mailbox (Graph allows 10,000 per 10 minutes). */
  MICROSOFT_REQUESTS_PER_SECOND: z.coerce.number().positive().max(16).default(15),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  REPORT_FROM: z.string().default('Rapport <rapport@localhost>'),
  /**
   * Hosts a Slack incoming-webhook URL may point at (https only), comma-separated. Slack's own unless a
   * proxy or an enterprise host is in between.
   */
  SLACK_WEBHOOK_HOSTS: z
    .string()
    .regex(/^\s*[A-Za-z0-9.-]+(\s*,\s*[A-Za-z0-9.-]+)*\s*$/, 'must be host names, comma-separated')
    .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()))
    .default(['hooks.slack.com']),
  /**
   * true → Slack and webhook URLs may also be plain http on loopback (127.0.0.1, ::1, localhost): for
   * tests and local development. Refused when NODE_ENV=production.
   */
  DELIVERY_ALLOW_LOOPBACK_HTTP: bool.default(false),
  SECURE_COOKIES: bool.optional(),
});

export type Config = z.infer<typeof configSchema> & { rapportHome: string };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses an env-like record; throws ConfigError whose message has one line per bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (docker compose passes `FOO=` through as "").
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = cleaned[name];
      const shown = value === undefined || /KEY|SECRET|TOKEN|URL/.test(name) ? '' : ` (got "${value}")`;
      return `config: ${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  if (result.data.NODE_ENV === 'production' && !result.data.TOKEN_ENCRYPTION_KEYS) {
    // The development fallback keeps its key file next to the data it protects, and a container without a
    // volume would make a new one at every start (stored tokens could no longer be opened).
    throw new ConfigError(
      'config: TOKEN_ENCRYPTION_KEYS: required when NODE_ENV=production (keyId:base64 of 32 random bytes)',
    );
  }
  const redisProblem = result.data.REDIS_URL
    ? prefixProblem(parseRedisUrl(result.data.REDIS_URL), result.data.QUEUE_PREFIX)
    : null;
  if (redisProblem)
    throw new ConfigError(`config: QUEUE_PREFIX: ${redisProblem.replace(/^QUEUE_PREFIX /, '')}`);
  if (result.data.NODE_ENV === 'production' && result.data.DELIVERY_ALLOW_LOOPBACK_HTTP) {
    // Report deliveries would then reach services on the worker's own machine.
    throw new ConfigError('config: DELIVERY_ALLOW_LOOPBACK_HTTP: not allowed when NODE_ENV=production');
  }
  return { ...result.data, rapportHome: path.resolve(result.data.RAPPORT_HOME) };
}

let cached: Config | undefined;

/** The process's config, parsed from process.env on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
