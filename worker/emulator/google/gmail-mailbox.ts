/**
 * One Gmail user's state in the emulator: messages (newest first, as messages.list returns them),
 * a monotonically increasing historyId and the retained history records.
 */
import type { EmulatedMessage, EmulatedUser } from '../mailbox-model.js';

export interface StoredMessage extends EmulatedMessage {
  historyId: number;
}

export interface MessageRef {
  id: string;
  threadId: string;
  labelIds: string[];
}

export interface HistoryRecord {
  id: number;
  messages: { id: string; threadId: string }[];
  messagesAdded?: { message: MessageRef }[];
  messagesDeleted?: { message: MessageRef }[];
}

/** Keyset position in the newest-first order: stays valid while new mail arrives. */
export interface ListKey {
  internalDate: number;
  id: string;
}

const HIDDEN_UNLESS_ASKED = ['SPAM', 'TRASH'];

/** Newest first; ties broken by id, descending. */
function compare(a: ListKey, b: ListKey): number {
  if (a.internalDate !== b.internalDate) return b.internalDate - a.internalDate;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function ref(m: StoredMessage): MessageRef {
  return { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] };
}

export class GmailMailbox {
  private readonly byId = new Map<string, StoredMessage>();
  private ordered: StoredMessage[] = [];
  private history: HistoryRecord[] = [];
  private currentHistoryId: number;
  /** A startHistoryId below this is "too old": history.list answers 404. */
  private floor: number;

  constructor(
    readonly user: EmulatedUser,
    seed: readonly EmulatedMessage[],
    private historyRetention = Number.POSITIVE_INFINITY,
    firstHistoryId = 100_000,
  ) {
    this.currentHistoryId = firstHistoryId;
    for (const message of seed) {
      if (this.byId.has(message.id)) throw new Error(`duplicate message id ${message.id}`);
      const stored = { ...message, historyId: ++this.currentHistoryId };
      this.byId.set(stored.id, stored);
      this.ordered.push(stored);
    }
    this.ordered.sort(compare);
    // History of the seed itself is not retained: a client starts from the profile's historyId.
    this.floor = this.currentHistoryId;
  }

  get historyId(): number {
    return this.currentHistoryId;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): StoredMessage | undefined {
    return this.byId.get(id);
  }

  /** Messages that messages.get refuses with this status (listed as usual), as Gmail does now and then. */
  readonly refusals = new Map<string, 400 | 403>();

  threadCount(): number {
    return new Set(this.ordered.map((m) => m.threadId)).size;
  }

  /** Adds messages (one history record each) and returns the historyIds they got. */
  append(messages: readonly EmulatedMessage[]): number[] {
    const ids: number[] = [];
    for (const message of messages) {
      if (this.byId.has(message.id)) throw new Error(`duplicate message id ${message.id}`);
      const stored: StoredMessage = { ...message, historyId: ++this.currentHistoryId };
      this.byId.set(stored.id, stored);
      this.ordered.splice(this.insertionIndex(stored), 0, stored);
      this.record({
        id: stored.historyId,
        messages: [{ id: stored.id, threadId: stored.threadId }],
        messagesAdded: [{ message: ref(stored) }],
      });
      ids.push(stored.historyId);
    }
    return ids;
  }

  /** Deletes messages permanently (a messagesDeleted history record each); unknown ids are ignored. */
  delete(ids: readonly string[]): void {
    for (const id of ids) {
      const stored = this.byId.get(id);
      if (!stored) continue;
      this.byId.delete(id);
      this.ordered = this.ordered.filter((m) => m.id !== id);
      const historyId = ++this.currentHistoryId;
      this.record({
        id: historyId,
        messages: [{ id, threadId: stored.threadId }],
        messagesDeleted: [{ message: ref(stored) }],
      });
    }
  }

  /** Drops all retained history: any earlier startHistoryId now gets 404. */
  expireHistory(): void {
    this.history = [];
    this.floor = this.currentHistoryId;
  }

  list(options: {
    labelIds: readonly string[];
    includeSpamTrash: boolean;
    after: ListKey | null;
    max: number;
  }): { messages: StoredMessage[]; next: ListKey | null; estimate: number } {
    const matches = (m: StoredMessage): boolean =>
      options.labelIds.every((l) => m.labelIds.includes(l)) &&
      (options.includeSpamTrash || !m.labelIds.some((l) => HIDDEN_UNLESS_ASKED.includes(l)));
    let index = options.after ? this.firstAfter(options.after) : 0;
    const page: StoredMessage[] = [];
    for (; index < this.ordered.length && page.length < options.max; index++) {
      const m = this.ordered[index] as StoredMessage;
      if (matches(m)) page.push(m);
    }
    let more = false;
    for (; index < this.ordered.length; index++) {
      if (matches(this.ordered[index] as StoredMessage)) {
        more = true;
        break;
      }
    }
    const last = page[page.length - 1];
    return {
      messages: page,
      next: more && last ? { internalDate: last.internalDate, id: last.id } : null,
      estimate: this.ordered.length,
    };
  }

  /**
   * History records after `startHistoryId` (and after `afterRecordId` when paging), filtered by type.
   * `expired` when startHistoryId is older than what is retained.
   */
  historySince(options: {
    startHistoryId: number;
    types: readonly string[];
    afterRecordId: number | null;
    max: number;
  }): { expired: true } | { expired: false; records: HistoryRecord[]; nextAfter: number | null } {
    if (options.startHistoryId < this.floor) return { expired: true };
    const from = Math.max(options.startHistoryId, options.afterRecordId ?? 0);
    const wanted = (r: HistoryRecord): boolean =>
      options.types.length === 0 ||
      (options.types.includes('messageAdded') && r.messagesAdded !== undefined) ||
      (options.types.includes('messageDeleted') && r.messagesDeleted !== undefined);
    const all = this.history.filter((r) => r.id > from && wanted(r));
    const records = all.slice(0, options.max);
    const last = records[records.length - 1];
    return { expired: false, records, nextAfter: all.length > records.length && last ? last.id : null };
  }

  private record(entry: HistoryRecord): void {
    this.history.push(entry);
    while (this.history.length > this.historyRetention) {
      const dropped = this.history.shift();
      if (dropped) this.floor = dropped.id;
    }
  }

  private firstAfter(key: ListKey): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.ordered[mid] as StoredMessage, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertionIndex(m: StoredMessage): number {
    return this.firstAfter(m);
  }
}
