/**
 * Sign-in by one-time code (from `rapport login-code --user EMAIL`) and sign-out. POST /login is rate
 * limited per client address; the code itself also dies after a few wrong guesses (login-codes.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { mailAddress } from '../../ingest/address.js';
import { redeemLoginCode } from '../auth/login-codes.js';
import { endSession, startSession } from '../auth/sessions.js';
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
      const user = await redeemLoginCode(prisma, form.data.email, form.data.code);
      if (!user) {
        return reply
          .code(401)
          .type('text/html')
          .send(loginPage(pageCtx, email, 'That code is wrong, already used or expired. Ask for a new one.'));
      }
      const session = await startSession(prisma, user.id);
      request.log.info({ userId: user.id }, 'signed in');
      return reply
        .setCookie(cookies.sessionName, session.token, { ...cookies.options, expires: session.expiresAt })
        .redirect('/account', 303);
    },
  );

  server.post('/logout', async (request, reply) => {
    const token = request.cookies[cookies.sessionName];
    if (token) await endSession(prisma, token);
    return reply.clearCookie(cookies.sessionName, cookies.options).redirect('/login', 303);
  });
}
