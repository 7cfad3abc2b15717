/**
 * Sign-in by one-time code (from `rapport login-code --user EMAIL`) and sign-out. POST /login is rate
 * limited per client address, and a client that keeps typing wrong codes for an address is made to wait
 * (login-codes.ts). Signing in and out both start a new CSRF secret (sessions.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
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

function loginPage(ctx: PageContext, email: string, error?: string): string {
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
</div>`,
  );
}

export function signInRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const { prisma, cookies } = ctx;

  server.get('/', { preHandler: ctx.loadSession }, async (request, reply) =>
    reply.redirect(request.user ? '/account' : '/login', 303),
  );

  server.get('/login', { preHandler: ctx.loadSession }, async (request, reply) => {
    if (request.user) return reply.redirect('/account', 303);
    return reply.type('text/html').send(loginPage(ctx.pageContext(request, reply), ''));
  });

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
          .send(loginPage(pageCtx, email, message));
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
          .send(loginPage(pageCtx, email, 'That code is wrong, already used or expired. Ask for a new one.'));
      }
      const { user } = result;
      const session = await startSession(prisma, user.id);
      request.log.info({ userId: user.id }, 'signed in');
      // A CSRF token handed out before signing in (to whoever held this browser) is worthless now.
      rotateCsrfSecret(request, reply, cookies);
      return reply
        .setCookie(cookies.sessionName, session.token, { ...cookies.options, expires: session.expiresAt })
        .redirect('/account', 303);
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
