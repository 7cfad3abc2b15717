/** The caller is not (or no longer) signed in or presented no valid API token: HTTP 401. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}
