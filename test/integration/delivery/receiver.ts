/**
 * A real HTTP receiver on 127.0.0.1 for the Slack and webhook channels: it records every request (headers
 * and raw body) and answers from a script — a status per request (200 once the script runs out), or
 * 'hang' to never answer (a timeout), or 'accept-then-drop' to read the body and cut the connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer = number | 'hang' | 'drop';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number | 'hang' | 'drop';
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered 2xx. */
  accepted(): Received[];
  script(...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const received: Received[] = [];
  let answers: Answer[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const answer = answers.shift() ?? 200;
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered: answer,
      });
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' });
      response.end(answer < 300 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    accepted: () => received.filter((r) => typeof r.answered === 'number' && r.answered < 300),
    script(...next) {
      answers = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
