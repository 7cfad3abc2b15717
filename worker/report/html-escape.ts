/**
 * Text into HTML (element content and quoted attribute values alike). Control characters and bidi controls
 * are removed first (text/display-text.ts), so no value shown on a page or in the report can spoof the text
 * around it; `isolateHtml` additionally wraps a name or subject from someone's mail in `<bdi>`.
 */
import { displayMultiline, displayText } from '../text/display-text.js';

export function escapeHtml(text: string): string {
  return displayMultiline(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Untrusted text (a name, an address, a subject) as element content: one line, escaped, inside `<bdi>`,
 * an isolate whose direction comes from its own first strong character. A right-to-left name then cannot
 * reorder the words or numbers next to it ("asked 'שלום' 3 days ago" keeps the 3 after the subject).
 */
export function isolateHtml(text: string): string {
  return `<bdi>${escapeHtml(displayText(text))}</bdi>`;
}

/**
 * `text` (written by Rapport) with each occurrence of the untrusted `parts` it quotes (subjects) isolated
 * as by isolateHtml; the rest escaped. Parts are matched after cleaning both sides, which displayText keeps
 * consistent (it never changes a string's length around a part).
 */
export function isolatePartsHtml(text: string, parts: readonly (string | null | undefined)[]): string {
  const whole = displayText(text);
  const needles = [...new Set(parts.map((p) => (p ? displayText(p) : '')).filter((p) => p !== ''))];
  let out = '';
  let at = 0;
  for (;;) {
    let best = -1;
    let needle = '';
    for (const n of needles) {
      const i = whole.indexOf(n, at);
      if (i >= 0 && (best < 0 || i < best || (i === best && n.length > needle.length))) {
        best = i;
        needle = n;
      }
    }
    if (best < 0) return out + escapeHtml(whole.slice(at));
    out += `${escapeHtml(whole.slice(at, best))}<bdi>${escapeHtml(needle)}</bdi>`;
    at = best + needle.length;
  }
}
