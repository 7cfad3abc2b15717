/**
 * What Rapport accepts as a mail address, in one place: the same rule decides which addresses ingest
 * stores and which addresses the CLI, the settings page and the sign-in form take. Real mailboxes carry
 * addresses that RFC 5322's dot-atom (and zod's `z.email()`) refuse — Exchange exports are full of
 * `m..presto@enron.com` and `.ward@enron.com` — and a person must be able to name every address ingest
 * stored, their own included.
 *
 * The rule: one `@` with a non-empty local part and domain, no whitespace, no angle brackets, quotes,
 * parentheses, brackets, commas, semicolons or colons (those belong to the header syntax around an
 * address, never to one we keep), at most 320 characters. Compared lower-cased.
 */
import { z } from 'zod';

const ADDRESS_SHAPE = /^[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+$/;
export const MAX_ADDRESS_LENGTH = 320;

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** True when `address` (already lower-cased and trimmed) is an address Rapport stores. */
export function isMailAddress(address: string): boolean {
  return address.length <= MAX_ADDRESS_LENGTH && ADDRESS_SHAPE.test(address);
}

/**
 * A header's address token → the stored form (lower-cased, without control characters, stray
 * quotes/brackets or a mailto: prefix), or null when it is not an address.
 */
export function cleanMailAddress(raw: string): string | null {
  let a = raw.replace(CONTROL, '').trim().toLowerCase();
  a = a.replace(/^["'<]+|["'>]+$/g, '');
  if (a.startsWith('mailto:')) a = a.slice(7);
  return isMailAddress(a) ? a : null;
}

/** zod schema for an address typed by a person (CLI flag, form field): trimmed, lower-cased. */
export function mailAddress(message = 'must be an email address') {
  return z.string({ error: message }).trim().toLowerCase().refine(isMailAddress, { error: message });
}
