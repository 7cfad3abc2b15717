/**
 * The shapes no machine-readable description covers, written from their specifications:
 * Google's JSON error envelope, Graph's OData error, and OAuth 2.0 token endpoint answers
 * (RFC 6749 §5.1 success with its cache headers, §5.2 error).
 */
import { z } from 'zod';
import type { RecordedExchange } from '../../../worker/emulator/exchange-recorder.js';

const googleError = z.strictObject({
  error: z.strictObject({
    code: z.number().int(),
    message: z.string(),
    status: z.string().optional(),
    errors: z.array(
      z.strictObject({
        message: z.string(),
        domain: z.string(),
        reason: z.string(),
        location: z.string().optional(),
        locationType: z.string().optional(),
      }),
    ),
  }),
});

const graphError = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string(),
    innerError: z
      .strictObject({ date: z.string(), 'request-id': z.string(), 'client-request-id': z.string() })
      .optional(),
  }),
});

const tokenSuccess = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  id_token: z.string().optional(),
});

/** RFC 6749 §5.2 codes, plus Google's documented `redirect_uri_mismatch` and Entra's `interaction_required`. */
const tokenError = z.object({
  error: z.enum([
    'invalid_request',
    'invalid_client',
    'invalid_grant',
    'unauthorized_client',
    'unsupported_grant_type',
    'invalid_scope',
    'redirect_uri_mismatch',
    'interaction_required',
  ]),
  error_description: z.string().optional(),
  error_uri: z.string().optional(),
});

const problemsOf = (where: string, result: z.ZodSafeParseResult<unknown>): string[] =>
  result.success ? [] : result.error.issues.map((i) => `${where}.${i.path.join('.')}: ${i.message}`);

export const checkGoogleError = (body: unknown, where: string): string[] =>
  problemsOf(where, googleError.safeParse(body));

export const checkGraphError = (body: unknown, where: string): string[] =>
  problemsOf(where, graphError.safeParse(body));

/** A token endpoint exchange: the request is a known grant; the answer is §5.1 or §5.2. */
export function checkTokenExchange(x: RecordedExchange, where: string): string[] {
  const problems: string[] = [];
  const form = new URLSearchParams(x.requestBody);
  const grant = form.get('grant_type');
  if (!x.requestHeaders['content-type']?.startsWith('application/x-www-form-urlencoded'))
    problems.push(`${where}: request is not form-encoded`);
  if (grant === 'authorization_code') {
    for (const name of ['code', 'redirect_uri', 'code_verifier'])
      if (!form.get(name)) problems.push(`${where}: authorization_code grant without ${name}`);
  } else if (grant === 'refresh_token') {
    if (!form.get('refresh_token')) problems.push(`${where}: refresh_token grant without refresh_token`);
  } else {
    problems.push(`${where}: grant_type ${grant} is not one Rapport uses`);
  }
  if (x.status === 200) {
    problems.push(...problemsOf(where, tokenSuccess.safeParse(x.responseBody)));
    if (!/\bno-store\b/.test(x.responseHeaders['cache-control'] ?? ''))
      problems.push(`${where}: token answer without Cache-Control: no-store (RFC 6749 §5.1)`);
    if (x.responseHeaders.pragma !== 'no-cache')
      problems.push(`${where}: token answer without Pragma: no-cache (RFC 6749 §5.1)`);
  } else if (x.status === 400 || x.status === 401) {
    problems.push(...problemsOf(where, tokenError.safeParse(x.responseBody)));
  } else {
    problems.push(`${where}: status ${x.status} is not a token endpoint answer`);
  }
  if (!x.responseHeaders['content-type']?.startsWith('application/json'))
    problems.push(`${where}: token answer is not JSON`);
  return problems;
}
