/**
 * The CLI's tables show names and reasons from other people's mail: a bidi override, a newline or a
 * terminal escape sequence in one must come out neutralised, and the columns must stay aligned.
 */
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../worker/cli/table.js';

const FORBIDDEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

describe('renderTable with spoofing names', () => {
  const rows = [
    { name: 'Mallory \u202Egnp.exe', strength: 80, why: "last: 'Re: \u2066x\u2069' (they wrote)" },
    { name: 'Eve\n* fake row\u001B[2K', strength: 5, why: 'a\u0000b\u009Bc' },
    { name: 'Ada', strength: 60, why: 'usually every ~7 days' },
  ];
  const table = renderTable(rows, [
    { header: 'name', value: (r) => r.name },
    { header: 'strength', value: (r) => r.strength },
    { header: 'why', value: (r) => r.why },
  ]);
  const lines = table.split('\n');

  it('removes bidi and control characters from every cell', () => {
    expect(table).not.toMatch(FORBIDDEN);
    expect(lines[2]).toMatch(/^Mallory gnp\.exe\s+80 {2}last: 'Re: x' \(they wrote\)$/);
    expect(lines[3]).toMatch(/^Eve \* fake row\[2K\s+5 {2}abc$/);
  });

  it('keeps one line per row, with the columns aligned', () => {
    expect(lines).toHaveLength(2 + rows.length);
    const whyColumn = lines[0]!.indexOf('why');
    for (const line of lines.slice(2)) expect(line.slice(whyColumn - 2, whyColumn)).toBe('  ');
    expect(lines[2]!.slice(whyColumn)).toBe("last: 'Re: x' (they wrote)");
    expect(lines[3]!.slice(whyColumn)).toBe('abc');
  });
});
