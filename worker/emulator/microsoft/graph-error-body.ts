/** Graph's error envelope: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
import { randomUUID } from 'node:crypto';
import { type HttpReply, json } from '../http-reply.js';

export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): HttpReply {
  const requestId = randomUUID();
  return json(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
    { 'request-id': requestId, ...headers },
  );
}
