/**
 * POST /v1.0/$batch (JSON batching): at most 20 requests, each answered on its own (its own
 * throttling, 429 + Retry-After per part), relative URLs like `/me/mailFolders/inbox/messages/delta?…`.
 */
import { z } from 'zod';
import type { EmulatorCounters } from '../emulator-counters.js';
import type { HttpReply } from '../http-reply.js';
import { json } from '../http-reply.js';
import { graphError } from './graph-error-body.js';

export const MAX_GRAPH_BATCH = 20;

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string(),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

export interface BatchPart {
  method: string;
  url: URL;
  authorization: string | undefined;
  prefer: string | undefined;
}

export async function handleGraphBatch(
  body: Buffer,
  baseUrl: string,
  counters: EmulatorCounters,
  call: (part: BatchPart) => Promise<HttpReply>,
): Promise<HttpReply> {
  let parsed: z.infer<typeof batchSchema>;
  try {
    parsed = batchSchema.parse(JSON.parse(body.toString('utf8')));
  } catch {
    return graphError(400, 'BadRequest', 'Invalid batch payload format.');
  }
  if (parsed.requests.length > MAX_GRAPH_BATCH)
    return graphError(
      400,
      'BadRequest',
      `Number of batch request steps exceeds the maximum of ${MAX_GRAPH_BATCH}.`,
    );
  counters.mutable.batchRequests++;
  counters.mutable.batchParts += parsed.requests.length;
  const responses = await Promise.all(
    parsed.requests.map(async (r) => {
      const relative = r.url.startsWith('/') ? r.url : `/${r.url}`;
      const url = new URL(`v1.0${relative}`, baseUrl);
      const headers = Object.fromEntries(
        Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const reply = await call({
        method: r.method.toUpperCase(),
        url,
        authorization: headers.authorization,
        prefer: headers.prefer,
      });
      return { id: r.id, status: reply.status, headers: reply.headers ?? {}, body: reply.body };
    }),
  );
  return json(200, { responses });
}
