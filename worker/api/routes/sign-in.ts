/**
 * Sign-in by one-time code (from `rapport login-code --user EMAIL`), with Google or Microsoft (OpenID
 * Connect through the same OAuth apps that connect mailboxes; worker/identity/), and sign-out. POST /login
 * is rate limited per client address, and a client that keeps typing wrong codes for an address is made
 * to wait (login-codes.ts). Signing in and out both start a new CSRF secret (sessions.ts).
 *
 * A provider sign-in is bound to the browser that started it: the state also goes into a short-lived
 * HttpOnly cookie, and the callback only completes a state that cookie names. Otherwise someone could
 * start a sign-in as themselves and get a victim's browser to finish it (login CSRF): the victim would
 * then be working, unknowingly, in the attacker's Rapport.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { createSignInService, IdTokenRejected, type SignInProvider } from '../../identity/sign-in-service.js';
import { mailAddress } from '../../ingest/address.js';
import { redeemLoginCode } from '../auth/login-codes.js';
import { endSession, rotateCsrfSecret, startSession } from '../auth/sessions.js';
import { type PageContext, page } from '../html/layout.js';
import { html } from '../html/safe-html.js';
import type { RouteContext } from './route-context.js';

const loginForm = z.object({
  email: mailAddress('enter the email address the code was made for'),
  code: z.string().trim().min(1, { error: 'enter the code' }).max(40),
});

const PROVIDER_NAMES: Record<SignInProvider, string> = { google: 'Google', microsoft: 'Microsoft' };
const providerParam = z.object({
  provider: z.enum(['google', 'microsoft'], { error: "must be 'google' or 'microsoft'" }),
});
const callbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});
const SIGN_IN_COOKIE_MAX_AGE_S = 10 * 60;

function providerButtons(ctx: PageContext, providers: readonly SignInProvider[]) {
  if (providers.length === 0) return '';
  return html`<p class="muted" style="margin-top:18px">Or sign in with the account you use for mail:</p>
  <div class="actions">${providers.map(
    (p) => html`<form class="inline" method="post" action="/login/${p}">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <button class="secondary" type="submit">Sign in with ${PROVIDER_NAMES[p]}</button></form>`,
  )}</div>`;
}

function loginPage(
  ctx: PageContext,
  email: string,
  error?: string,
  providers: readonly SignInProvider[] = [],
): string {
  return page(
    ctx,
    'Sign in',
    html`<div class="card" style="max-width:460px">
  <h1>Sign in</h1>
  <p class="muted">Ask your Rapport operator for a one-time code (<code>rapport login-code --user you@example.com</code>).
  A code works once and for 10 minutes.</p>
  ${error ? html`<div class="error" role="alert">${error}</div>` : ''}
  <form method="post" action="/login">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
    <label for="code">One-time code</label>
    <input id="code" name="code" type="text" autocomplete="one-time-code" required placeholder="XXXXX-XXXXX">
    <div class="actions"><button type="submit">Sign in</button></div>
  </form>
  ${providerButtons(ctx, providers)}
</div>`,
  );
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function unverifiedPage(ctx: PageContext, provider: string, email: string | null): string {
  return page(
    ctx,
    'Email not verified',
    html`<div class="card" style="max-width:560px">
  <h1>${provider} has not verified your email address</h1>
  <p>${
    email
      ? html`${provider} signed you in, but it has not confirmed that <strong>${email}</strong> belongs to you.`
      : html`${provider} signed you in, but did not tell Rapport your email address.`
  }
  Rapport only signs in with an address the provider has verified, so that nobody can get into someone
  else's Rapport by putting their address on an account. Nobody was signed in.</p>
  <p>Verify the address with ${provider} and try again, or ask your Rapport operator for a one-time code.</p>
  <div class="actions"><a class="button" href="/login">Back to sign in</a></div>
</div>`,
  );
}

export function signInRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const { prisma, cookies } = ctx;
  const signIn = createSignInService(prisma, ctx.config);
  const signInCookie = cookies.sessionName.replace('rapport_session', 'rapport_signin');
  const callbackUrl = `${ctx.publicUrl}/login/callback`;
  const loginWithProviders = (pageCtx: PageContext, email: string, error?: string) =>
    loginPage(pageCtx, email, error, signIn.providers());

  async function startSessionFor(
    request: Parameters<typeof rotateCsrfSecret>[0],
    reply: FastifyReply,
    userId: string,
  ): Promise<FastifyReply> {
    const previous = request.cookies[cookies.sessionName];
    if (previous) await endSession(prisma, previous);
    const session = await startSession(prisma, userId);
    // A CSRF token handed out before signing in (to whoever held this browser) is worthless now.
    rotateCsrfSecret(request, reply, cookies);
    return reply
      .setCookie(cookies.sessionName, session.token, { ...cookies.options, expires: session.expiresAt })
      .redirect('/account', 303);
  }

  server.get('/', { preHandler: ctx.loadSession }, async (request, reply) =>
    reply.redirect(request.user ? '/account' : '/login', 303),
  );

  server.get('/login', { preHandler: ctx.loadSession }, async (request, reply) => {
    if (request.user) return reply.redirect('/account', 303);
    return reply
      .type('text/html')
      .send(loginPage(ctx.pageContext(request, reply), '', undefined, signIn.providers()));
  });

  server.post(
    '/login/:provider',
    { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
    async (request, reply) => {
      const { provider } = providerParam.parse(request.params);
      const { url, state } = await signIn.begin(provider, callbackUrl);
      if (!/^https?:\/\//.test(url)) throw new Error('sign-in returned a non-http provider URL');
      return reply
        .setCookie(signInCookie, state, { ...cookies.options, maxAge: SIGN_IN_COOKIE_MAX_AGE_S })
        .redirect(url, 303);
    },
  );

  server.get(
    '/login/callback',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      const query = callbackQuery.parse(request.query ?? {});
      const bound = request.cookies[signInCookie];
      reply.clearCookie(signInCookie, cookies.options);
      if (query.error) {
        throw new UsageError(
          query.error === 'access_denied'
            ? 'the provider says you did not agree to sign in; nobody was signed in'
            : `the provider refused the sign-in (${/^[a-z_]{1,40}$/.test(query.error) ? query.error : 'error'}); nobody was signed in`,
        );
      }
      if (!query.code || !query.state)
        throw new UsageError('the provider sent no code or state back; please sign in again');
      if (!bound || !sameText(bound, query.state))
        throw new UsageError(
          'this sign-in was started in another browser (or the browser lost its cookie); start signing in again here',
        );
      let done: Awaited<ReturnType<typeof signIn.complete>>;
      try {
        done = await signIn.complete(query.state, query.code);
      } catch (error) {
        if (!(error instanceof IdTokenRejected)) throw error;
        request.log.warn({ reason: error.message }, 'sign-in refused: ID token did not verify');
        throw new UsageError('the provider’s answer could not be verified; nobody was signed in. Try again.');
      }
      const name = PROVIDER_NAMES[done.provider];
      if (done.outcome === 'unverified') {
        request.log.warn({ provider: done.provider }, 'sign-in refused: email not verified by the provider');
        return reply
          .code(403)
          .type('text/html')
          .send(unverifiedPage(ctx.pageContext(request, reply), name, done.email));
      }
      request.log.info(
        { userId: done.user.id, provider: done.provider, created: done.created, linked: done.linked },
        'signed in with provider',
      );
      return startSessionFor(request, reply, done.user.id);
    },
  );

  server.post(
    '/login',
    { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as { email?: unknown };
      const form = loginForm.safeParse(body);
      // What was typed goes back into the form on failure (escaped by the template).
      const email = typeof body.email === 'string' ? body.email.slice(0, 320) : '';
      const pageCtx = ctx.pageContext(request, reply);
      if (!form.success) {
        const message = form.error.issues.map((i) => i.message).join('; ');
        return reply
          .code(400)
          .type('text/html')
          .send(loginWithProviders(pageCtx, email, message));
      }
      const result = await redeemLoginCode(prisma, {
        email: form.data.email,
        code: form.data.code,
        client: request.ip,
      });
      if (result.outcome === 'throttled') {
        // Ids only: never the address typed or the code.
        request.log.warn(
          { userId: result.userId, scope: result.scope, retryAfterSeconds: result.retryAfterSeconds },
          'sign-in throttled: too many wrong codes',
        );
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        return reply
          .code(429)
          .header('retry-after', String(result.retryAfterSeconds))
          .type('text/html')
          .send(
            loginPage(
              pageCtx,
              email,
              `Too many wrong codes. Wait ${minutes === 1 ? 'a minute' : `${minutes} minutes`} and try again.`,
            ),
          );
      }
      if (result.outcome === 'wrong') {
        request.log.warn(
          { userId: result.userId, clientFailures: result.clientFailures },
          'sign-in refused: wrong, used or expired code',
        );
        return reply
          .code(401)
          .type('text/html')
          .send(
            loginWithProviders(
              pageCtx,
              email,
              'That code is wrong, already used or expired. Ask for a new one.',
            ),
          );
      }
      const { user } = result;
      request.log.info({ userId: user.id }, 'signed in');
      return startSessionFor(request, reply, user.id);
    },
  );

  server.post('/logout', async (request, reply) => {
    const token = request.cookies[cookies.sessionName];
    if (token) await endSession(prisma, token);
    // Nothing of the session outlives it, its CSRF secret included.
    rotateCsrfSecret(request, reply, cookies);
    return reply.clearCookie(cookies.sessionName, cookies.options).redirect('/login', 303);
  });
}
