/**
 * The latest weekly report as a browser can show it. The stored HTML is the email's, whose charts are
 * `cid:` attachments that were never stored; they are rendered again for the report's own asOf (their
 * Content-IDs are stable per user and week) and inlined as data: URIs. Memoised per report row, since
 * the preview page and its frame ask twice in a row.
 */
import type { PrismaClient } from '../db/database.js';
import { renderCharts } from '../report/charts.js';
import { buildReportModel } from '../report/report-model.js';

export function createReportPreview(prisma: PrismaClient): (userId: string) => Promise<string | null> {
  const memo = new Map<string, { version: string; html: string }>();
  return async (userId) => {
    const report = await prisma.report.findFirst({
      where: { userId },
      orderBy: { isoWeek: 'desc' },
      select: {
        id: true,
        asOf: true,
        html: true,
        updatedAt: true,
        user: { select: { id: true, email: true } },
      },
    });
    if (!report) return null;
    const version = `${report.id}@${report.updatedAt.getTime()}`;
    const known = memo.get(userId);
    if (known?.version === version) return known.html;
    let html = report.html;
    if (html.includes('cid:')) {
      const charts = renderCharts(await buildReportModel(prisma, report.user, report.asOf));
      for (const chart of charts) {
        html = html.split(`cid:${chart.cid}`).join(`data:image/png;base64,${chart.png.toString('base64')}`);
      }
    }
    if (memo.size > 100) memo.clear();
    memo.set(userId, { version, html });
    return html;
  };
}
