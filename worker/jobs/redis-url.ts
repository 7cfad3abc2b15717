/**
 * Which Redis the queues live on, named by one URL so every setting, log line and test keeps a single
 * string: a single server (`redis://`, `rediss://`), a Redis Cluster given by seed nodes
 * (`redis+cluster://host:port,host:port`), or a Sentinel group (`redis+sentinel://host:port,…/name`).
 * User and password in the URL are the data nodes' (and the Sentinels' too, the usual deployment).
 * No ioredis here: the configuration check reads this on every command, queue or not.
 */
export interface HostPort {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  tls: boolean;
}

export type RedisTarget =
  | { kind: 'single'; url: string }
  | ({ kind: 'cluster'; nodes: HostPort[] } & Credentials)
  | ({ kind: 'sentinel'; sentinels: HostPort[]; name: string; db: number } & Credentials);

const MULTI_HOST = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/;

function hostPort(spec: string, defaultPort: number): HostPort {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.trim());
  if (!match?.[1]) throw new Error(`"${spec}" is not host:port`);
  const port = match[2] ? Number(match[2]) : defaultPort;
  if (port < 1 || port > 65535) throw new Error(`"${spec}" has no valid port`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function credentials(userInfo: string | undefined, scheme: string): Credentials {
  const [user, ...rest] = (userInfo ?? '').split(':');
  const password = rest.join(':');
  return {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    tls: scheme === 'rediss',
  };
}

/** Reads REDIS_URL; throws with a sentence saying what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'single', url };
  const match = MULTI_HOST.exec(url);
  if (!match) {
    throw new Error(
      'must be redis://host:port, redis+cluster://host:port,host:port… or redis+sentinel://host:port,…/masterName',
    );
  }
  const [, scheme = 'redis', kind, userInfo, hostList = '', path = ''] = match;
  const creds = credentials(userInfo, scheme);
  if (kind === 'cluster') {
    if (path) throw new Error('a redis+cluster:// URL names nodes only (a cluster has no databases)');
    return { kind: 'cluster', nodes: hostList.split(',').map((h) => hostPort(h, 6379)), ...creds };
  }
  const [name, db = '0'] = path.split('/');
  if (!name) throw new Error('a redis+sentinel:// URL must end in /masterName (as in sentinel.conf)');
  if (!/^\d+$/.test(db)) throw new Error(`"${db}" is not a database number`);
  return {
    kind: 'sentinel',
    sentinels: hostList.split(',').map((h) => hostPort(h, 26379)),
    name: decodeURIComponent(name),
    db: Number(db),
    ...creds,
  };
}

/**
 * On a cluster every key of a BullMQ queue — and the account locks — must hash to one slot, which
 * only a prefix with a `{hash tag}` guarantees; without one, the first multi-key script fails with
 * CROSSSLOT. Returns the problem, or null.
 */
export function prefixProblem(target: RedisTarget, prefix: string): string | null {
  if (target.kind !== 'cluster') return null;
  return /\{[^{}]+\}/.test(prefix)
    ? null
    : `QUEUE_PREFIX "${prefix}" has no hash tag: on Redis Cluster use one such as {rapport}`;
}

/** A log-safe description of the target: kind and hosts, never a password. */
export function describeRedis(target: RedisTarget | string): string {
  const resolved = typeof target === 'string' ? parseRedisUrl(target) : target;
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (resolved.kind === 'cluster') return `cluster ${list(resolved.nodes)}`;
  if (resolved.kind === 'sentinel') return `sentinel group ${resolved.name} via ${list(resolved.sentinels)}`;
  const url = new URL(resolved.url);
  return `${url.hostname}:${url.port || 6379}`;
}
