/** The page a person sees when something did not work: what happened, in words, and a way on. */
import type { HttpProblem } from '../http-problem.js';
import { type PageContext, page } from './layout.js';
import { html } from './safe-html.js';

function titleOf(status: number): string {
  if (status === 401) return 'Please sign in';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Slow down';
  if (status >= 500) return 'Something went wrong';
  return 'That did not work';
}

const sentence = (text: string): string => {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

export function errorPage(ctx: PageContext, problem: HttpProblem): string {
  const message =
    problem.status >= 500
      ? 'Rapport hit an internal error. It has been logged; please try again.'
      : sentence(problem.error);
  const onward = ctx.user
    ? html`<a class="button" href="/account">Back to your accounts</a>`
    : html`<a class="button" href="/login">Sign in</a>`;
  return page(
    ctx,
    titleOf(problem.status),
    html`<h1>${titleOf(problem.status)}</h1><div class="card"><p>${message}</p><div class="actions">${onward}</div></div>`,
  );
}
