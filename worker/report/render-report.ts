/**
 * Model → everything a reader sees: subject, HTML, plain text and the chart images (pure apart from the
 * PNG rasterising). `buildReport` adds the database half and times both, for the CLI and the outbox.
 */
import type { PrismaClient } from '../db/database.js';
import type { UserRef } from '../users.js';
import { type ChartImage, renderCharts } from './charts.js';
import { type RenderHtmlOptions, renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { buildReportModel } from './report-model.js';
import type { ReportModel } from './report-types.js';
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
  rendered: RenderedReport;
  millis: { build: number; render: number };
}

export function renderReport(model: ReportModel, options: RenderHtmlOptions = {}): RenderedReport {
  const charts = renderCharts(model);
  return {
    subject: reportSubject(model),
    html: renderHtml(model, charts, options),
    text: renderText(model),
    charts,
  };
}

export async function buildReport(prisma: PrismaClient, user: UserRef, asOf: Date): Promise<BuiltReport> {
  const t0 = performance.now();
  const model = await buildReportModel(prisma, user, asOf);
  const t1 = performance.now();
  const rendered = renderReport(model);
  const t2 = performance.now();
  return { model, rendered, millis: { build: Math.round(t1 - t0), render: Math.round(t2 - t1) } };
}
