/**
 * One user's primary calendar in the emulator. Every change bumps a sequence number; a sync token
 * is (epoch, sequence), so `invalidateSyncTokens()` (epoch + 1) makes every issued token 410.
 */
import type { EmulatedEvent } from '../mailbox-model.js';

export interface StoredEvent {
  event: EmulatedEvent;
  seq: number;
  created: string;
  updated: string;
  /** Deleted outright: served as a `{ id, status: 'cancelled' }` tombstone in incremental sync. */
  deleted: boolean;
}

export interface WindowKey {
  startMs: number;
  id: string;
}

function startMs(event: EmulatedEvent): number {
  return new Date(event.start).getTime();
}

function endMs(event: EmulatedEvent): number {
  return new Date(event.end).getTime();
}

export class CalendarStore {
  private readonly events = new Map<string, StoredEvent>();
  private seq = 0;
  private epochValue = 1;

  constructor(
    seed: readonly EmulatedEvent[],
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.upsert(seed);
  }

  get epoch(): number {
    return this.epochValue;
  }

  get sequence(): number {
    return this.seq;
  }

  invalidateSyncTokens(): void {
    this.epochValue++;
  }

  upsert(events: readonly EmulatedEvent[]): void {
    const now = this.clock().toISOString();
    for (const event of events) {
      const existing = this.events.get(event.id);
      this.events.set(event.id, {
        event: { ...event },
        seq: ++this.seq,
        created: existing?.created ?? now,
        updated: now,
        deleted: false,
      });
    }
  }

  /** Marks events cancelled (still full events, status 'cancelled'). */
  cancel(ids: readonly string[]): void {
    for (const id of ids) {
      const stored = this.events.get(id);
      if (stored) this.upsert([{ ...stored.event, status: 'cancelled' }]);
    }
  }

  /** Deletes events: incremental sync reports them as bare cancelled tombstones. */
  delete(ids: readonly string[]): void {
    const now = this.clock().toISOString();
    for (const id of ids) {
      const stored = this.events.get(id);
      if (stored) this.events.set(id, { ...stored, deleted: true, seq: ++this.seq, updated: now });
    }
  }

  /** Events overlapping [timeMin, timeMax), ordered by start then id, keyset-paged. */
  window(options: {
    timeMin: number | null;
    timeMax: number | null;
    showDeleted: boolean;
    after: WindowKey | null;
    max: number;
  }): { items: StoredEvent[]; next: WindowKey | null } {
    const all = [...this.events.values()]
      .filter((s) => !s.deleted)
      .filter((s) => options.showDeleted || s.event.status !== 'cancelled')
      .filter((s) => options.timeMin === null || endMs(s.event) > options.timeMin)
      .filter((s) => options.timeMax === null || startMs(s.event) < options.timeMax)
      .sort((a, b) => startMs(a.event) - startMs(b.event) || (a.event.id < b.event.id ? -1 : 1));
    const after = options.after;
    const from = after
      ? all.findIndex(
          (s) =>
            startMs(s.event) > after.startMs || (startMs(s.event) === after.startMs && s.event.id > after.id),
        )
      : 0;
    const rest = from === -1 ? [] : all.slice(from);
    const items = rest.slice(0, options.max);
    const last = items[items.length - 1];
    return {
      items,
      next: rest.length > items.length && last ? { startMs: startMs(last.event), id: last.event.id } : null,
    };
  }

  /** Everything changed after `sinceSeq` (deleted and cancelled included), in change order. */
  changes(options: { sinceSeq: number; afterSeq: number | null; max: number }): {
    items: StoredEvent[];
    nextAfter: number | null;
  } {
    const from = Math.max(options.sinceSeq, options.afterSeq ?? 0);
    const all = [...this.events.values()].filter((s) => s.seq > from).sort((a, b) => a.seq - b.seq);
    const items = all.slice(0, options.max);
    const last = items[items.length - 1];
    return { items, nextAfter: all.length > items.length && last ? last.seq : null };
  }
}
