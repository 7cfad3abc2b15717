/**
 * Connecting a mailbox once: the OAuth authorization-code flow with PKCE and a verified `state`.
 * The HTTP server and `rapport connect` both drive it; provider specifics live in providers/<name>/.
 */
export type ConnectProvider = 'google' | 'microsoft';

export interface ConnectService {
  /**
   * Stores a pending state + PKCE verifier for the user and returns the provider's consent URL.
   * `loginHint` (the user's email) preselects the right account at the provider.
   */
  begin(
    userId: string,
    provider: ConnectProvider,
    redirectUri: string,
    loginHint?: string,
  ): Promise<{ url: string; state: string }>;
  /**
   * Verifies `state` (unknown/expired/reused → UsageError), exchanges the code with the verifier, stores the
   * refresh token encrypted, records granted scopes, and returns the (new or re-activated) account.
   */
  complete(
    state: string,
    code: string,
  ): Promise<{ accountId: string; userId: string; provider: ConnectProvider }>;
  /**
   * Before an account is deleted: gives its access back at the provider where the provider allows an app
   * to (Google revokes the refresh token; Microsoft has no per-app revocation, the user removes the app
   * in their account settings). A mailbox another Rapport user also connected is left alone (`shared`):
   * revoking ends the app's grant for the mailbox, theirs included. Never throws: a failure is logged and
   * the deletion goes ahead.
   */
  release(
    userId: string,
    accountId: string,
  ): Promise<'revoked' | 'not-supported' | 'shared' | 'failed' | 'no-token'>;
}
