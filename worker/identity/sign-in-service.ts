/**
 * Signing in with Google or Microsoft (OpenID Connect). `begin` stores a single-use state with its PKCE
 * verifier and nonce (SignInState) and returns the provider's URL; `complete` claims the state, exchanges
 * the code, verifies the ID token (oidc-client.ts) and decides who signs in:
 *
 * 1. The provider subject is already linked (UserIdentity) → that user, whatever the email says now.
 * 2. Otherwise only a verified email counts: the user with that email (the subject is linked to them
 *    from now on), or a new user. An unverified or missing email signs nobody in and creates nobody:
 *    anyone can put any address on an account whose address the provider has not confirmed.
 *
 * Verified means: Google `email_verified: true`; Microsoft `email` with `xms_edov: true` (the optional
 * claim saying the email's domain is verified by its tenant; the app registration must ask for the
 * optional claims `email` and `xms_edov`). Microsoft's subject is `tid:oid` (the user's object id in
 * their tenant), not the pairwise `sub`.
 */
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/database.js';
import { UsageError } from '../errors.js';
import type { UserRef } from '../users.js';
import { completeSignIn, createSignInRequest, type SignInProvider } from './oidc-client.js';
import { configuredSignInProviders, signInProviderSettings } from './sign-in-providers.js';

export { IdTokenRejected, type SignInProvider } from './oidc-client.js';

const STATE_TTL_MS = 10 * 60_000;

/** Who the provider says this is, reduced to what Rapport decides on. */
export interface ProviderIdentity {
  provider: SignInProvider;
  subject: string;
  /** Lower-cased; null when the provider gave none. */
  email: string | null;
  emailVerified: boolean;
}

export type SignInOutcome =
  | { outcome: 'signed-in'; user: UserRef; created: boolean; linked: boolean }
  | { outcome: 'unverified'; email: string | null };

export interface SignInService {
  /** Providers with a client id and secret configured, in button order. */
  providers(): SignInProvider[];
  begin(provider: SignInProvider, redirectUri: string): Promise<{ url: string; state: string }>;
  /** UsageError for an unknown/used/expired state; ProviderError, IdTokenRejected from the provider. */
  complete(state: string, code: string): Promise<{ provider: SignInProvider } & SignInOutcome>;
}

const emailSchema = z.email();

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The ID token's claims → subject and email, by the rules above. */
export function identityFromClaims(provider: SignInProvider, claims: JWTPayload): ProviderIdentity {
  const rawEmail = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const email = rawEmail && emailSchema.safeParse(rawEmail).success ? rawEmail : null;
  if (provider === 'google') {
    if (!claims.sub) throw new UsageError('the ID token has no subject');
    return {
      provider,
      subject: claims.sub,
      email,
      emailVerified: email !== null && isTrue(claims.email_verified),
    };
  }
  const { tid, oid } = claims as { tid?: unknown; oid?: unknown };
  if (typeof tid !== 'string' || typeof oid !== 'string' || !tid || !oid)
    throw new UsageError('the Microsoft ID token has no tenant or object id');
  return {
    provider,
    subject: `${tid}:${oid}`,
    email,
    emailVerified: email !== null && isTrue((claims as { xms_edov?: unknown }).xms_edov),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002';
}

/** Rule 1 then rule 2 (see the top of the file); links the subject when it signs someone in. */
export async function resolveIdentity(prisma: PrismaClient, who: ProviderIdentity): Promise<SignInOutcome> {
  const key = { provider: who.provider, subject: who.subject };
  const now = new Date();
  const known = await prisma.userIdentity.findUnique({
    where: { provider_subject: key },
    select: { id: true, user: { select: { id: true, email: true } } },
  });
  if (known) {
    await prisma.userIdentity.update({
      where: { id: known.id },
      data: { lastSignInAt: now, ...(who.email ? { email: who.email } : {}) },
    });
    return { outcome: 'signed-in', user: known.user, created: false, linked: false };
  }
  if (!who.email || !who.emailVerified) return { outcome: 'unverified', email: who.email };
  const email = who.email;
  for (let attempt = 0; ; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        const existing = await tx.user.findUnique({ where: { email }, select: { id: true, email: true } });
        const user =
          existing ?? (await tx.user.create({ data: { email }, select: { id: true, email: true } }));
        await tx.userIdentity.upsert({
          where: { provider_subject: key },
          create: { ...key, userId: user.id, email, lastSignInAt: now },
          update: { lastSignInAt: now, email },
        });
        return { outcome: 'signed-in' as const, user, created: !existing, linked: true };
      });
    } catch (error) {
      // Two first sign-ins racing for one address or subject: the second finds what the first made.
      if (attempt === 0 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

export function createSignInService(prisma: PrismaClient, config: Config): SignInService {
  const settingsFor = (provider: SignInProvider) => {
    const settings = signInProviderSettings(config, provider);
    if (!settings) throw new UsageError(`signing in with ${provider} is not configured here`);
    return settings;
  };
  return {
    providers: () => configuredSignInProviders(config),

    async begin(provider, redirectUri) {
      const request = await createSignInRequest(settingsFor(provider), redirectUri);
      await prisma.signInState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
      await prisma.signInState.create({
        data: {
          state: request.state,
          provider,
          nonce: request.nonce,
          codeVerifier: request.codeVerifier,
          redirectUri,
          expiresAt: new Date(Date.now() + STATE_TTL_MS),
        },
      });
      return { url: request.url, state: request.state };
    },

    async complete(state, code) {
      // Deleting is the claim: a state works once, even for two callbacks racing.
      const pending = await prisma.signInState.findUnique({ where: { state } });
      const claimed = pending ? await prisma.signInState.deleteMany({ where: { state } }) : { count: 0 };
      if (!pending || claimed.count !== 1 || pending.expiresAt < new Date()) {
        throw new UsageError('this sign-in link is unknown, already used or expired; sign in again');
      }
      const provider = pending.provider as SignInProvider;
      const claims = await completeSignIn(settingsFor(provider), {
        code,
        codeVerifier: pending.codeVerifier,
        redirectUri: pending.redirectUri,
        nonce: pending.nonce,
      });
      return { provider, ...(await resolveIdentity(prisma, identityFromClaims(provider, claims))) };
    },
  };
}
