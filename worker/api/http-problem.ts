/**
 * The one mapping from errors to HTTP answers. Bad input says exactly what was wrong; anything unexpected
 * becomes a bare 500 so no stack, SQL or provider detail reaches the caller (it goes to the log instead).
 */
import { z } from 'zod';
import { NotFoundError, TooManyRequestsError, UsageError } from '../errors.js';
import { ProviderError } from '../providers/provider-error.js';
import { AuthError } from './auth/auth-error.js';

export interface ProblemDetail {
  param: string;
  message: string;
}

export interface HttpProblem {
  status: number;
  error: string;
  details?: ProblemDetail[];
}

const PROVIDER_PROBLEMS: Record<ProviderError['kind'], HttpProblem> = {
  auth: { status: 400, error: 'the provider did not accept the authorization; please connect again' },
  rate_limit: { status: 503, error: 'the provider is busy right now; please try again in a minute' },
  transient: { status: 503, error: 'the provider is not answering right now; please try again in a minute' },
  not_found: { status: 502, error: 'the provider could not find what it was asked for' },
  cursor_invalid: { status: 502, error: 'the provider sent something unexpected' },
  bad_data: { status: 502, error: 'the provider sent something unexpected' },
};

export function zodProblem(error: z.ZodError): HttpProblem {
  const details = error.issues.map((issue) => ({ param: issue.path.join('.'), message: issue.message }));
  return {
    status: 400,
    error: details.map((d) => (d.param ? `${d.param}: ${d.message}` : d.message)).join('; '),
    details,
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function toHttpProblem(error: unknown): HttpProblem {
  if (error instanceof z.ZodError) return zodProblem(error);
  if (error instanceof UsageError) return { status: 400, error: error.message };
  if (error instanceof NotFoundError) return { status: 404, error: error.message };
  if (error instanceof TooManyRequestsError) return { status: 429, error: error.message };
  if (error instanceof AuthError) return { status: 401, error: error.message };
  if (error instanceof ProviderError) return PROVIDER_PROBLEMS[error.kind];
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
    return {
      status: 403,
      error: 'this form has expired or did not come from this site; go back, reload the page and try again',
    };
  }
  // Fastify's own client errors (malformed body, wrong content type, too large, rate limited) carry a
  // 4xx status and a message written for the caller.
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, error: (error as Error).message || 'bad request' };
  }
  return { status: 500, error: 'internal error' };
}
