/**
 * The weekly relationship-health report of one user for the ISO week of `asOf` (in their time zone):
 * load (load-report-input.ts) then compose (compose-report.ts, pure). The model is plain data that the
 * HTML and text renderers and the charts draw from.
 */
import type { PrismaClient } from '../db/database.js';
import type { UserRef } from '../users.js';
import { composeReport } from './compose-report.js';
import { loadReportInput } from './load-report-input.js';
import type { ReportModel } from './report-types.js';

export { composeReport } from './compose-report.js';
export type { ReportModel } from './report-types.js';

export async function buildReportModel(
  prisma: PrismaClient,
  user: UserRef,
  asOf: Date,
): Promise<ReportModel> {
  return composeReport(await loadReportInput(prisma, user, asOf));
}
