/** The words of the one-click links, shared by the HTML and text emails and the confirmation pages. */
import type { ItemLinks, ReplyLink } from '../report/report-types.js';

export const LINK_LABELS = {
  snooze: 'Snooze 2 weeks',
  dismiss: 'Dismiss',
  important: 'Mark important',
} as const satisfies Record<keyof Omit<ItemLinks, 'reply'>, string>;

export const replyLabel = (reply: ReplyLink): string => `Reply in ${reply.provider}`;
