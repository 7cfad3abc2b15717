/**
 * The report's charts as SVG strings (pure). charts.ts turns them into PNGs. Sizes are CSS pixels; the
 * PNGs are rendered at 2× so they stay sharp on high-density screens.
 */
import type { WeekBucket } from './report-types.js';
import { inZone } from './report-week.js';

export const COLORS = {
  ink: '#1f2933',
  muted: '#616e7c',
  grid: '#e4e7eb',
  email: '#3b72d9',
  meeting: '#e39b2d',
  usual: '#52606d',
  spark: '#3b72d9',
  sparkFill: '#dce7fa',
};

export const FONT_FAMILY = 'DejaVu Sans';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A round axis maximum ≥ value with a step of 1, 2 or 5 × 10^k giving at most four gridlines. */
export function niceScale(value: number): { max: number; step: number } {
  const target = Math.max(value, 4);
  const raw = target / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  return { max: Math.ceil(target / step) * step, step };
}

const n = (v: number) => Number(v.toFixed(2));

export const ACTIVITY_SIZE = { width: 600, height: 250 };

/**
 * Stacked weekly bars (emails below, meetings on top), the last one this week, with a dashed line at the
 * usual week. Dates are the last day of each week in the user's time zone.
 */
export function activityChartSvg(weeks: WeekBucket[], usualWeekly: number | null, timeZone: string): string {
  const { width, height } = ACTIVITY_SIZE;
  // Labels are large for a 600 px chart: on a phone the image shrinks to about half.
  const left = 44;
  const right = 10;
  const top = 40;
  const bottom = 34;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const peak = Math.max(usualWeekly ?? 0, ...weeks.map((w) => w.emails + w.meetings));
  const { max, step } = niceScale(peak);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(weeks.length, 1);
  const barW = slot * 0.62;
  const parts: string[] = [];

  for (let v = 0; v <= max; v += step) {
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      `<text x="${left - 8}" y="${n(y(v) + 5)}" text-anchor="end" font-size="15" fill="${COLORS.muted}">${v}</text>`,
    );
  }
  weeks.forEach((w, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const last = i === weeks.length - 1;
    const opacity = last ? 1 : 0.72;
    if (w.emails > 0) {
      parts.push(
        `<rect x="${n(x)}" y="${n(y(w.emails))}" width="${n(barW)}" height="${n(y(0) - y(w.emails))}" rx="2" fill="${COLORS.email}" fill-opacity="${opacity}"/>`,
      );
    }
    if (w.meetings > 0) {
      const y0 = y(w.emails);
      const y1 = y(w.emails + w.meetings);
      parts.push(
        `<rect x="${n(x)}" y="${n(y1)}" width="${n(barW)}" height="${n(y0 - y1)}" rx="2" fill="${COLORS.meeting}" fill-opacity="${opacity}"/>`,
      );
    }
    const labelEvery = weeks.length > 6 ? 2 : 1;
    if (last || (weeks.length - 1 - i) % labelEvery === 0) {
      const label = last ? 'this week' : inZone(new Date(w.to.getTime() - 1), timeZone).toFormat('d LLL');
      // The last label hugs the right edge so it never runs off the image.
      const anchor = last
        ? `x="${width - 2}" text-anchor="end" font-weight="bold"`
        : `x="${n(x + barW / 2)}" text-anchor="middle"`;
      parts.push(
        `<text ${anchor} y="${height - 10}" font-size="15" fill="${last ? COLORS.ink : COLORS.muted}">${escapeXml(label)}</text>`,
      );
    }
  });
  if (usualWeekly !== null) {
    const uy = n(y(usualWeekly));
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${uy}" y2="${uy}" stroke="${COLORS.usual}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
  }
  // Legend, top left: what the colours and the dashed line mean.
  const legend: string[] = [];
  let lx = left;
  const key = (swatch: string, label: string, w: number) => {
    legend.push(
      swatch.replace('{x}', String(lx)),
      `<text x="${lx + 20}" y="21" font-size="16" fill="${COLORS.ink}">${label}</text>`,
    );
    lx += w;
  };
  key(`<rect x="{x}" y="8" width="14" height="14" rx="2" fill="${COLORS.email}"/>`, 'emails', 96);
  key(`<rect x="{x}" y="8" width="14" height="14" rx="2" fill="${COLORS.meeting}"/>`, 'meetings', 118);
  if (usualWeekly !== null) {
    key(
      `<line x1="{x}" x2="${lx + 15}" y1="15" y2="15" stroke="${COLORS.usual}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
      `usual week (~${Math.round(usualWeekly)})`,
      0,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    ...legend,
    '</svg>',
  ].join('');
}

export const SPARKLINE_SIZE = { width: 180, height: 40 };

/**
 * A text-free sparkline of weekly interactions (oldest first): an area with the line on top and a dot
 * on this week. The scale is the person's own (floor 4, so one email is not a mountain); the numbers
 * are printed next to it in the email.
 */
export function sparklineSvg(weekly: number[]): string {
  const { width, height } = SPARKLINE_SIZE;
  const pad = 4;
  const max = Math.max(4, ...weekly);
  const count = Math.max(weekly.length, 2);
  const x = (i: number) => pad + (i / (count - 1)) * (width - 2 * pad);
  const y = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const points = weekly.map((v, i) => `${n(x(i))},${n(y(v))}`);
  const lastIndex = weekly.length - 1;
  const last = weekly[lastIndex] ?? 0;
  const area =
    points.length > 0
      ? `<polygon points="${n(x(0))},${height - pad} ${points.join(' ')} ${n(x(lastIndex))},${height - pad}" fill="${COLORS.sparkFill}"/>`
      : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<line x1="${pad}" x2="${width - pad}" y1="${height - pad}" y2="${height - pad}" stroke="${COLORS.grid}" stroke-width="1"/>`,
    area,
    points.length > 1
      ? `<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS.spark}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`
      : '',
    `<circle cx="${n(x(lastIndex))}" cy="${n(y(last))}" r="3.5" fill="${COLORS.ink}"/>`,
    '</svg>',
  ].join('');
}
