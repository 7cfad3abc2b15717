/** The printed table of the fleet benchmark: section, figure, value, unit, note. */

export interface Figure {
  section: string;
  name: string;
  value: number | string;
  unit: string;
  note?: string;
}

const fmt = (v: number | string): string => {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

export function printTable(figures: readonly Figure[]): void {
  const rows = [
    ['section', 'figure', 'value', 'unit', 'note'],
    ...figures.map((f) => [f.section, f.name, fmt(f.value), f.unit, f.note ?? '']),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(
      [
        r[0]!.padEnd(widths[0]!),
        r[1]!.padEnd(widths[1]!),
        r[2]!.padStart(widths[2]!),
        r[3]!.padEnd(widths[3]!),
        r[4],
      ]
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** Progress on stderr, so stdout stays the report. */
export const progress = (text: string): void => {
  process.stderr.write(`  … ${text}\n`);
};
