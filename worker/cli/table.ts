/**
 * Aligned plain-text table for human output (numbers right-aligned, long text cut with an ellipsis). Every
 * cell goes through displayText: names and subjects come from other people's mail, and a newline, a
 * terminal escape sequence or a bidi override in one would break the table or spoof what it says.
 */
import { displayText } from '../text/display-text.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null;
  max?: number;
}

const cell = (v: string | number | null, max = 60): string => {
  const text = v === null ? '–' : displayText(String(v));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.max)));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => typeof c.value(r) === 'number' || c.value(r) === null),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

export const shortDate = (iso: string | null): string | null => (iso ? iso.slice(0, 10) : null);
