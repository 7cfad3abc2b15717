/**
 * One person's small-thread messages grouped by thread, with "what came next" precomputed.
 *
 * Rows: the person's message rows flagged FLAG_SMALL (≤ smallThreadMaxParticipants), meetings excluded.
 * Sides: "you" = the user's message with the person on To or Cc; "them" = the person's message to the user.
 * Order: by thread, then time (row order is time order). For each position, nextYouMs / nextThemMs is the
 * time of the next "you" / "them" message in the same thread (+Infinity when none). Reciprocity, asks and
 * follow-ups all read this one view, so each person's messages are sorted once.
 *
 * The buffers are reused across people (sized for the largest person) to avoid per-person allocation.
 */

import { FLAG_SMALL, type InteractionTable, isSentKind, KIND_MEETING } from './interactions.js';

export interface ThreadView {
  count: number;
  rows: Int32Array;
  nextYouMs: Float64Array;
  nextThemMs: Float64Array;
}

export class ThreadViewBuilder {
  private readonly rows: Int32Array;
  private readonly nextYouMs: Float64Array;
  private readonly nextThemMs: Float64Array;
  private readonly byThreadThenRow: (a: number, b: number) => number;

  constructor(
    private readonly table: InteractionTable,
    maxRowsPerPerson: number,
  ) {
    this.rows = new Int32Array(maxRowsPerPerson);
    this.nextYouMs = new Float64Array(maxRowsPerPerson);
    this.nextThemMs = new Float64Array(maxRowsPerPerson);
    const thread = table.thread;
    this.byThreadThenRow = (a, b) => thread[a]! - thread[b]! || a - b;
  }

  /** The view for rows [start, end). Valid until the next call. */
  build(start: number, end: number): ThreadView {
    const { kind, flags, thread, time } = this.table;
    let count = 0;
    for (let r = start; r < end; r++) {
      if (kind[r] !== KIND_MEETING && (flags[r]! & FLAG_SMALL) !== 0) this.rows[count++] = r;
    }
    const rows = this.rows.subarray(0, count);
    rows.sort(this.byThreadThenRow);
    let nextYou = Number.POSITIVE_INFINITY;
    let nextThem = Number.POSITIVE_INFINITY;
    for (let j = count - 1; j >= 0; j--) {
      const r = rows[j]!;
      if (j === count - 1 || thread[rows[j + 1]!] !== thread[r]) {
        nextYou = Number.POSITIVE_INFINITY;
        nextThem = Number.POSITIVE_INFINITY;
      }
      this.nextYouMs[j] = nextYou;
      this.nextThemMs[j] = nextThem;
      if (isSentKind(kind[r]!)) nextYou = time[r]!;
      else nextThem = time[r]!;
    }
    return {
      count,
      rows,
      nextYouMs: this.nextYouMs.subarray(0, count),
      nextThemMs: this.nextThemMs.subarray(0, count),
    };
  }
}
