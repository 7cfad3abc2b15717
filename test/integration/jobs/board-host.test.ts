/**
 * The queue dashboard answers only to its own names (issue #19): a page on another domain re-pointed at
 * 127.0.0.1 (DNS rebinding) sends that domain in Host and gets 421, through inject and a real socket.
 */
import http from 'node:http';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardHostGuard, buildBoard } from '../../../worker/jobs/board.js';
import { openQueues, type Queues } from '../../../worker/jobs/queues.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

let queues: Queues;

beforeAll(() => {
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix: uniquePrefix('board-host') });
});
afterAll(async () => {
  await queues?.close();
});

const get = (board: FastifyInstance, host: string, url = '/api/queues') =>
  board.inject({ method: 'GET', url, headers: { host } });

/** A request over a real socket with the Host header a rebinding page would send. */
function rawGet(address: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${address}/api/queues`, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

describe('queue dashboard Host check', () => {
  it('answers loopback names and refuses any other Host with 421', async () => {
    const board = await buildBoard(queues, { allowedHosts: [] });
    try {
      for (const host of [
        'localhost:3001',
        'LOCALHOST',
        '127.0.0.1:3001',
        '127.0.0.1',
        '[::1]:3001',
        'localhost.',
      ]) {
        expect((await get(board, host)).statusCode, host).toBe(200);
      }
      for (const host of [
        'attacker.example:3001',
        'attacker.example',
        '127.0.0.1.nip.io',
        'localhost.attacker.example',
        'a b',
        'localhost:3001@attacker.example',
      ]) {
        const res = await get(board, host);
        expect(res.statusCode, host).toBe(421);
        expect(res.body).not.toContain('Rapport queues');
        // The page itself, its scripts and unknown paths alike.
        expect((await get(board, host, '/')).statusCode).toBe(421);
      }
    } finally {
      await board.close();
    }
  });

  it('also answers the host it listens on and BOARD_ALLOWED_HOSTS, never a wildcard name', async () => {
    const board = await buildBoard(queues, { host: 'Board.LAN', allowedHosts: ['rapport-board.internal'] });
    try {
      expect((await get(board, 'board.lan:3001')).statusCode).toBe(200);
      expect((await get(board, 'rapport-board.internal')).statusCode).toBe(200);
      expect((await get(board, 'other.internal')).statusCode).toBe(421);
    } finally {
      await board.close();
    }
    const wildcard = boardHostGuard({ host: '0.0.0.0' });
    // No Host at all (HTTP/1.0) is not a name of ours either.
    expect(wildcard(undefined, '127.0.0.1')).toBe(false);
    expect(wildcard('', '127.0.0.1')).toBe(false);
    expect(wildcard('0.0.0.0:3001', undefined)).toBe(false);
    expect(boardHostGuard({ host: '::' })('[::]:3001', undefined)).toBe(false);
    // The address a request arrived at is its own name (an IP literal cannot be re-pointed).
    expect(wildcard('10.1.2.3:3001', '10.1.2.3')).toBe(true);
    expect(wildcard('10.1.2.3:3001', '::ffff:10.1.2.3')).toBe(true);
    expect(wildcard('10.1.2.4:3001', '10.1.2.3')).toBe(false);
  });

  it('over a real socket: a rebinding Host is refused, the loopback address and a LAN address answer', async () => {
    const board = await buildBoard(queues, { allowedHosts: [] });
    try {
      const address = await board.listen({ host: '127.0.0.1', port: 0 });
      const port = new URL(address).port;
      expect(await rawGet(address, `attacker.example:${port}`)).toBe(421);
      expect(await rawGet(address, `127.0.0.1:${port}`)).toBe(200);
      expect(await rawGet(address, `localhost:${port}`)).toBe(200);
    } finally {
      await board.close();
    }
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!lan) return;
    const onLan = await buildBoard(queues, { allowedHosts: [] });
    try {
      const address = await onLan.listen({ host: lan, port: 0 });
      const port = new URL(address).port;
      expect(await rawGet(address, `${lan}:${port}`)).toBe(200);
      expect(await rawGet(address, `attacker.example:${port}`)).toBe(421);
    } finally {
      await onLan.close();
    }
  });
});
