import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../worker/config.js';
import { describeRedis, parseRedisUrl, prefixProblem } from '../../../worker/jobs/redis-url.js';

describe('REDIS_URL', () => {
  it('keeps a single-server URL as it is', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379/2',
    });
    expect(parseRedisUrl('rediss://cache.internal:6380')).toEqual({
      kind: 'single',
      url: 'rediss://cache.internal:6380',
    });
  });

  it('reads cluster seed nodes, credentials and TLS', () => {
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
  });

  it('reads a Sentinel group: sentinels, master name and database', () => {
    expect(parseRedisUrl('redis+sentinel://:secret@s1:26379,s2/mymaster/3')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      db: 3,
      password: 'secret',
      tls: false,
    });
  });

  it('says what is wrong with a URL it cannot use', () => {
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/redis\+cluster:\/\//);
    expect(() => parseRedisUrl('redis+sentinel://s1:26379')).toThrow(/must end in \/masterName/);
    expect(() => parseRedisUrl('redis+cluster://a:7000/0')).toThrow(/no databases/);
    expect(() => parseRedisUrl('redis+cluster://a:99999')).toThrow(/no valid port/);
    expect(() => parseRedisUrl('redis+sentinel://s1/m/x')).toThrow(/not a database number/);
  });

  it('describes a target for logs without its password', () => {
    expect(describeRedis('redis+cluster://u:hunter2@a:7000,b:7001')).toBe('cluster a:7000,b:7001');
    expect(describeRedis('redis+sentinel://:hunter2@s1:26379/mymaster')).toBe(
      'sentinel group mymaster via s1:26379',
    );
    expect(describeRedis('redis://:hunter2@cache:6380')).toBe('cache:6380');
  });

  it('asks for a hash-tagged prefix on a cluster only', () => {
    const cluster = parseRedisUrl('redis+cluster://a:7000');
    expect(prefixProblem(cluster, 'rapport')).toMatch(/no hash tag/);
    expect(prefixProblem(cluster, '{}')).toMatch(/no hash tag/);
    expect(prefixProblem(cluster, '{rapport}')).toBeNull();
    expect(prefixProblem(cluster, 'eu-{rapport}')).toBeNull();
    expect(prefixProblem(parseRedisUrl('redis://a:6379'), 'rapport')).toBeNull();
    expect(prefixProblem(parseRedisUrl('redis+sentinel://s/m'), 'rapport')).toBeNull();
  });

  it('configuration refuses a cluster without a hash-tagged QUEUE_PREFIX, in one line', () => {
    expect(() => parseConfig({ REDIS_URL: 'redis+cluster://127.0.0.1:7000' })).toThrow(
      /^config: QUEUE_PREFIX: "rapport" has no hash tag: on Redis Cluster use one such as \{rapport\}$/,
    );
    expect(
      parseConfig({ REDIS_URL: 'redis+cluster://127.0.0.1:7000', QUEUE_PREFIX: '{rapport}' }).QUEUE_PREFIX,
    ).toBe('{rapport}');
    expect(() => parseConfig({ REDIS_URL: 'redis+sentinel://127.0.0.1:26379' })).toThrow(
      /^config: REDIS_URL: a redis\+sentinel:\/\/ URL must end in \/masterName/,
    );
  });
});
