/**
 * Model → everything a reader sees: subject, HTML, plain text and the chart images (pure apart from the
 * PNG rasterising). `buildReport` adds the database half and times both, for the CLI and the outbox.
 */

import { linkKeysFromConfig } from '../actions/link-keys.js';
import { type ActionLinkSettings, buildReportLinks } from '../actions/report-links.js';
import { loadConfig } from '../config.js';
import type { PrismaClient } from '../db/database.js';
import type { UserRef } from '../users.js';
import { type ChartImage, renderCharts } from './charts.js';
import { type RenderHtmlOptions, renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { buildReportModel } from './report-model.js';
import type { ReportLinks, ReportModel } from './report-types.js';
import { reportSubject } from './report-wording.js';

export interface RenderedReport {
  subject: string;
  /** For email: images referenced as cid:. */
  html: string;
  text: string;
  charts: ChartImage[];
}

export interface BuiltReport {
  model: ReportModel;
  /** The one-click links of the items (empty when built without links). */
  links: ReportLinks;
  rendered: RenderedReport;
  millis: { build: number; render: number };
}

export interface BuildReportOptions {
  /**
   * Signed one-click links under each item (docs/report.md): how to sign them, or false for none.
   * Default: PUBLIC_URL and the token keys of the process's own config (the worker's and the CLI's).
   */
  links?: ActionLinkSettings | false;
}

export function renderReport(model: ReportModel, options: RenderHtmlOptions = {}): RenderedReport {
  const charts = renderCharts(model);
  return {
    subject: reportSubject(model),
    html: renderHtml(model, charts, options),
    text: renderText(model, options.links),
    charts,
  };
}

// The process's config does not change while it runs: parse it, read the key file and derive the link
// keys once, not for every report of a Monday wave.
let defaultLinks: Promise<ActionLinkSettings> | undefined;
function defaultLinkSettings(): Promise<ActionLinkSettings> {
  defaultLinks ??= (async () => {
    const config = loadConfig();
    return { publicUrl: config.PUBLIC_URL, keys: await linkKeysFromConfig(config) };
  })();
  return defaultLinks;
}

export async function buildReport(
  prisma: PrismaClient,
  user: UserRef,
  asOf: Date,
  options: BuildReportOptions = {},
): Promise<BuiltReport> {
  const t0 = performance.now();
  const model = await buildReportModel(prisma, user, asOf);
  const settings = options.links === undefined ? await defaultLinkSettings() : options.links;
  const links: ReportLinks = settings ? await buildReportLinks(prisma, user, model, settings) : new Map();
  const t1 = performance.now();
  const rendered = renderReport(model, { links });
  const t2 = performance.now();
  return { model, links, rendered, millis: { build: Math.round(t1 - t0), render: Math.round(t2 - t1) } };
}
