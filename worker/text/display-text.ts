/**
 * Text from other people's mail (names, addresses, subjects) made safe to show. A header can carry
 * characters that change how the text around them is drawn rather than being drawn themselves:
 *
 * - bidi controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F marks,
 *   U+061C Arabic letter mark): "Mallory \u202Egnp.exe" displays as "Mallory exe.png";
 * - C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F): a newline starts a fake line in a text
 *   email or a CLI table, an escape sequence recolours or rewrites a terminal, a NUL or a backspace hides
 *   what follows.
 *
 * Every output (web pages and the report's HTML through escapeHtml, the text report, CLI tables) passes
 * untrusted text through here. The functions are pure and return the input itself when there is nothing to
 * remove. Characters that merely *are* right-to-left (Hebrew, Arabic) are kept: on HTML outputs names and
 * subjects are also wrapped in an isolate (`<bdi>`, see report/html-escape.ts) so such a name cannot
 * reorder the words around it.
 */

/** U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069. */
export function isBidiControl(code: number): boolean {
  return (
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F). */
export function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** Characters that break a line or move along it: shown as one space on a single line. */
function isLineSpace(code: number): boolean {
  return (
    code === 0x09 || // tab
    code === 0x0a || // line feed
    code === 0x0b || // vertical tab
    code === 0x0c || // form feed
    code === 0x0d || // carriage return
    code === 0x85 || // next line (C1)
    code === 0x2028 || // line separator
    code === 0x2029 // paragraph separator
  );
}

function clean(text: string, keep: (code: number) => boolean, space: (code: number) => boolean): string {
  let out: string | null = null;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const toSpace = space(code);
    if (!toSpace && !isBidiControl(code) && (!isControl(code) || keep(code))) continue;
    out = (out ?? '') + text.slice(from, i) + (toSpace ? ' ' : '');
    from = i + 1;
  }
  return out === null ? text : out + text.slice(from);
}

const never = () => false;
const lineBreaksKept = (code: number) => code === 0x09 || code === 0x0a || code === 0x0d;

/**
 * One line of display text: tabs, line breaks and line/paragraph separators become a space; every other
 * control character and every bidi control is removed. Length otherwise unchanged (nothing collapsed or
 * trimmed), so a part of a string cleans to the same text as it does inside the whole.
 */
export function displayText(text: string): string {
  return clean(text, never, isLineSpace);
}

/**
 * Display text that may span lines (a textarea's value, a multi-line message): tab, line feed and carriage
 * return are kept; every other control character and every bidi control is removed.
 */
export function displayMultiline(text: string): string {
  return clean(text, lineBreaksKept, never);
}
