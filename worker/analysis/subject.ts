/**
 * Subjects as conversations see them. Shared by ingest (thread keys) and analysis (templated mail).
 */

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Subject for thread matching: reply/forward prefixes (Re:, Fw:, Fwd:, AW:, WG:, SV:, RE[2]:, [list] …) removed. */
export function normalizeSubjectForThread(subject: string): string {
  let s = subject.replace(CONTROL, '').replace(/\s+/g, ' ').trim().toLowerCase();
  for (let i = 0; i < 20; i++) {
    const next = s
      .replace(/^(re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r)\s*(\[\d+\]|\(\d+\))?\s*:\s*/i, '')
      .replace(/^\[[^\]]{1,40}\]\s*/, '')
      .trim();
    if (next === s) break;
    s = next;
  }
  return s;
}
