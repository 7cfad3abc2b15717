/**
 * One user's Inbox and Sent Items in the Graph emulator, as a change log: every add or delete gets
 * the next sequence number. A delta token is (epoch, sequence); `expireDeltaTokens()` bumps the
 * epoch, so every token issued before answers 410 syncStateNotFound — as Exchange does when it has
 * dropped the sync state.
 */
import type { EmulatedMessage } from '../mailbox-model.js';
import { folderOf, type GraphFolder, type GraphMessageJson, toGraphMessage } from './graph-message-json.js';

interface StoredMessage {
  json: GraphMessageJson;
  folder: GraphFolder;
  receivedMs: number;
  seq: number;
  deleted: boolean;
}

export type DeltaItem = { message: GraphMessageJson } | { removed: string };

export class GraphMailbox {
  private readonly byId = new Map<string, StoredMessage>();
  private readonly modelIds = new Map<string, string>();
  private seq = 0;
  private epochValue = 1;

  constructor(messages: readonly EmulatedMessage[]) {
    this.append(messages);
  }

  get epoch(): number {
    return this.epochValue;
  }

  get sequence(): number {
    return this.seq;
  }

  expireDeltaTokens(): void {
    this.epochValue++;
  }

  /** Adds messages; returns their Graph ids. */
  append(messages: readonly EmulatedMessage[]): string[] {
    return messages.map((m) => {
      const json = toGraphMessage(m);
      this.modelIds.set(m.id, json.id);
      this.byId.set(json.id, {
        json,
        folder: folderOf(m),
        receivedMs: m.internalDate,
        seq: ++this.seq,
        deleted: false,
      });
      return json.id;
    });
  }

  /** Deletes by model id or Graph id: the next delta round reports `@removed`. */
  delete(ids: readonly string[]): void {
    for (const id of ids) {
      const stored = this.byId.get(this.modelIds.get(id) ?? id);
      if (stored && !stored.deleted) {
        stored.deleted = true;
        stored.seq = ++this.seq;
      }
    }
  }

  /**
   * Changes in `folder` after `sinceSeq` (0 = initial round: live messages only), paged by sequence
   * after `afterSeq`. `receivedFrom` is the initial round's `$filter=receivedDateTime ge …`.
   */
  changes(options: {
    folder: GraphFolder;
    sinceSeq: number;
    afterSeq: number;
    max: number;
    receivedFrom: number | null;
  }): { items: DeltaItem[]; lastSeq: number | null } {
    const from = Math.max(options.sinceSeq, options.afterSeq);
    const all = [...this.byId.values()]
      .filter((s) => s.folder === options.folder && s.seq > from)
      .filter((s) => options.sinceSeq > 0 || !s.deleted)
      // The round's $filter applies to messages; a deletion is reported whatever it was.
      .filter((s) => s.deleted || options.receivedFrom === null || s.receivedMs >= options.receivedFrom)
      .sort((a, b) => a.seq - b.seq);
    const page = all.slice(0, options.max);
    const last = page[page.length - 1];
    return {
      items: page.map((s) => (s.deleted ? { removed: s.json.id } : { message: s.json })),
      lastSeq: all.length > page.length && last ? last.seq : null,
    };
  }
}
