/** The one error a report delivery fails with, whatever the channel. */
import type { DeliveryChannel } from '../generated/prisma/enums.js';

/**
 * `delivered` says whether the report may still have arrived ('unknown': the outbox keeps the delivery
 * claimed until its lease runs out); `permanent` that trying again cannot help (a webhook that answers
 * 404, a Slack channel that was archived), so the job stops retrying.
 */
export class ReportSendError extends Error {
  override readonly name = 'ReportSendError';
  readonly channel: DeliveryChannel;
  readonly permanent: boolean;
  constructor(
    message: string,
    readonly delivered: 'no' | 'unknown',
    options?: { cause?: unknown; channel?: DeliveryChannel; permanent?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.channel = options?.channel ?? 'email';
    this.permanent = options?.permanent ?? false;
  }
}
