/**
 * Google's JSON error envelope, as the real APIs send it, and the OAuth token endpoint's flat
 * `{ error, error_description }` shape.
 */

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
    status?: string;
  };
}

/** A failure a handler throws; the router turns it into the JSON envelope. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly extra: {
      domain?: string;
      headers?: Record<string, string>;
      omitStatus?: boolean;
      location?: string;
      /** Where `location` is: a header (default) or a query parameter. */
      locationType?: 'header' | 'parameter';
    } = {},
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    const detail: GoogleErrorBody['error']['errors'][number] = {
      message: this.message,
      domain: this.extra.domain ?? 'global',
      reason: this.reason,
    };
    if (this.extra.location) {
      detail.location = this.extra.location;
      detail.locationType = this.extra.locationType ?? 'header';
    }
    const error: GoogleErrorBody['error'] = { code: this.status, message: this.message, errors: [detail] };
    // Calendar's 410 (and older APIs) carry no `status` string.
    const statusName = STATUS_NAMES[this.status];
    if (!this.extra.omitStatus && statusName) error.status = statusName;
    return { error };
  }
}

export const failures = {
  unauthenticated: () =>
    new ApiFailure(
      401,
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      'authError',
      {
        location: 'Authorization',
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      },
    ),
  insufficientScope: () =>
    new ApiFailure(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions'),
  forbidden: (message: string) => new ApiFailure(403, message, 'forbidden'),
  delegationDenied: (userId: string) => new ApiFailure(403, `Delegation denied for ${userId}`, 'forbidden'),
  notFound: () => new ApiFailure(404, 'Requested entity was not found.', 'notFound'),
  badRequest: (message: string) => new ApiFailure(400, message, 'invalidArgument'),
  rateLimited: (retryAt: Date, retryAfterHeaderSeconds: number | null) =>
    new ApiFailure(
      429,
      `User-rate limit exceeded.  Retry after ${retryAt.toISOString()}`,
      'rateLimitExceeded',
      {
        domain: 'usageLimits',
        ...(retryAfterHeaderSeconds === null
          ? {}
          : { headers: { 'retry-after': String(retryAfterHeaderSeconds) } }),
      },
    ),
  serverError: (status: 500 | 503) =>
    status === 500
      ? new ApiFailure(500, 'Internal error encountered.', 'backendError')
      : new ApiFailure(503, 'The service is currently unavailable.', 'backendError'),
  fullSyncRequired: () =>
    new ApiFailure(410, 'Sync token is no longer valid, a full sync is required.', 'fullSyncRequired', {
      omitStatus: true,
    }),
};

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

export function oauthError(error: string, description: string): OAuthErrorBody {
  return { error, error_description: description };
}
