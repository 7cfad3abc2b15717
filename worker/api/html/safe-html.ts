/**
 * A tagged template for pages: every interpolated value is escaped unless it is already SafeHtml, so a
 * name or subject from someone's mail can never become markup. Escaping also removes control and bidi
 * control characters (text/display-text.ts); a name or subject from someone's mail goes through `bdi()`
 * so that it is also isolated from the text around it.
 */
import { escapeHtml, isolateHtml, isolatePartsHtml } from '../../report/html-escape.js';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A name, address or subject from someone's mail: one line, escaped, in a `<bdi>` isolate. */
export function bdi(text: string): SafeHtml {
  return new SafeHtml(isolateHtml(text));
}

/** Rapport's own sentence with the untrusted `parts` it quotes (subjects) each in a `<bdi>` isolate. */
export function bdiParts(text: string, parts: readonly (string | null | undefined)[]): SafeHtml {
  return new SafeHtml(isolatePartsHtml(text, parts));
}
