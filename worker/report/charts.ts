/**
 * The report's charts as PNG images, rendered server-side from SVG with resvg (Rust, shipped inside the
 * npm package: no browser, no canvas, no system libraries). Email clients block remote images and most
 * do not show SVG, so the PNGs travel as inline attachments referenced by `cid:`.
 *
 * Fonts: resvg draws text only with fonts it is given. Rather than depend on whatever the server has
 * installed (`fc-list` differs between a laptop, a container and CI), the activity chart's labels use
 * DejaVu Sans from the `dejavu-fonts-ttf` package, so the PNG is the same everywhere. The sparklines carry
 * no text at all (names and numbers are HTML next to them), so they load no font.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { ACTIVITY_SIZE, activityChartSvg, FONT_FAMILY, SPARKLINE_SIZE, sparklineSvg } from './chart-svg.js';
import type { ReportModel } from './report-types.js';

export interface ChartImage {
  /** Content-ID the HTML refers to as `cid:<cid>`. */
  cid: string;
  /** File name when written to disk or attached. */
  filename: string;
  png: Buffer;
  /** Display size in CSS pixels (the PNG itself is 2×). */
  width: number;
  height: number;
  alt: string;
}

const SCALE = 2;
const require = createRequire(import.meta.url);
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${f}`),
);

function toPng(svg: string, withText: boolean): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    font: withText
      ? { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY }
      : { loadSystemFonts: false },
    shapeRendering: 2,
    textRendering: 1,
  });
  return resvg.render().asPng();
}

/** Content-IDs unique to this report, so two reports open side by side never share an image. */
function cidFor(name: string, key: string): string {
  return `${name}.${createHash('sha256').update(key).digest('hex').slice(0, 12)}@rapport`;
}

export const activityAlt = (model: ReportModel): string => {
  const last = model.weeks[model.weeks.length - 1];
  const usual = model.headline?.usualWeekly;
  return (
    `Bar chart of emails and meetings per week over the last ${model.weeks.length} weeks. ` +
    `This week: ${last?.emails ?? 0} emails and ${last?.meetings ?? 0} meetings` +
    (usual != null ? `; a usual week has about ${Math.round(usual)}.` : '.')
  );
};

export function renderCharts(model: ReportModel): ChartImage[] {
  if (model.reconnect || model.weeks.length === 0) return [];
  const key = `${model.userEmail}/${model.week.isoWeek}`;
  const charts: ChartImage[] = [
    {
      cid: cidFor('activity', key),
      filename: 'activity.png',
      png: toPng(
        activityChartSvg(model.weeks, model.headline?.usualWeekly ?? null, model.week.timeZone),
        true,
      ),
      ...ACTIVITY_SIZE,
      alt: activityAlt(model),
    },
  ];
  model.topPeople.forEach((t, i) => {
    charts.push({
      cid: cidFor(`trend-${i + 1}`, key),
      filename: `trend-${i + 1}.png`,
      png: toPng(sparklineSvg(t.weekly), false),
      ...SPARKLINE_SIZE,
      alt: `${t.person.name}: interactions per week over ${t.weekly.length} weeks, oldest first: ${t.weekly.join(', ')}`,
    });
  });
  return charts;
}
