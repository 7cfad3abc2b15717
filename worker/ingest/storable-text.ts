/**
 * Text as Postgres will take it. Two things in provider text make an INSERT fail and would stall a sync
 * on the same page for ever: NUL characters (text and jsonb refuse them) and lone UTF-16 surrogates
 * (jsonb refuses them; they come from broken input or from cutting a string inside an emoji).
 */

const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `value` without NULs and with lone surrogates replaced by U+FFFD; unchanged in the common case. */
export function storableText(value: string): string {
  // (String#toWellFormed would do the surrogates, but it is not in the ES2023 library this targets.)
  return value.replace(UNSTORABLE, (c) => (c === '\0' ? '' : '\ufffd'));
}

/** The first `max` UTF-16 units of `value`, never ending inside a surrogate pair. */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  // A high surrogate as the last unit would be half an emoji: leave the whole pair out.
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** JSON.stringify replacer applying `storableText` to every string. */
export function storableJson(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? storableText(value) : value;
}
