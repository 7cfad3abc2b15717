/**
 * `rapport import`: mail and calendar exports (mbox, maildir, .ics) into the same rows a provider sync
 * produces. Streams messages in batches (a multi-GB mbox is never held in memory), stores each batch in
 * one transaction, and is idempotent: a second import of the same files stores nothing new.
 */
import { readFile, stat } from 'node:fs/promises';
import type { PrismaClient } from '../db/database.js';
import { UsageError } from '../errors.js';
import { readIcs } from '../providers/files/ics-reader.js';
import { parseMailHeaders } from '../providers/files/mail-headers.js';
import { readMaildir } from '../providers/files/maildir-reader.js';
import { openMaybeGzip, parseFromLineDate, readMbox } from '../providers/files/mbox-reader.js';
import type { MailRecord, SkippedRecord } from '../providers/port.js';
import { addSelfAddresses, selfAddresses as ownAddresses, type UserRef } from '../users.js';
import { canonicalAddress } from './identity.js';
import { storeEventPage } from './store-events.js';
import { addCounts, emptyCounts, type StoreCounts, storeMailPage } from './store-mail.js';

export interface ImportSources {
  mbox: string[];
  maildir: string[];
  ics: string[];
}

export interface ImportProgress {
  source: string;
  items: number;
  /** Bytes consumed so far and in total, where the source has a known size. */
  bytes?: number;
  totalBytes?: number;
}

export interface SourceSummary extends StoreCounts {
  source: string;
  kind: 'mbox' | 'maildir' | 'ics';
}

export interface ImportSummary {
  sources: SourceSummary[];
  total: StoreCounts;
}

export interface ImportOptions {
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Calendar recurrences are expanded inside this window. */
  icsWindow?: { from: Date; to: Date };
}

export interface ImportTarget {
  user: UserRef;
  /** More addresses of the user's own (recorded as theirs before anything is stored). */
  aliases?: string[];
}

const FILES_ACCOUNT = 'import';

async function ensureFilesAccount(prisma: PrismaClient, userId: string): Promise<string> {
  const account = await prisma.account.upsert({
    where: { userId_provider_externalId: { userId, provider: 'files', externalId: FILES_ACCOUNT } },
    create: { userId, provider: 'files', externalId: FILES_ACCOUNT },
    update: {},
    select: { id: true },
  });
  return account.id;
}

async function assertReadable(path: string, kind: string): Promise<number> {
  try {
    const info = await stat(path);
    if (kind === 'maildir' ? !info.isDirectory() : !info.isFile()) {
      throw new UsageError(`--${kind} ${path}: not a ${kind === 'maildir' ? 'directory' : 'file'}`);
    }
    return info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `--${kind} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

interface RawMail {
  raw: Buffer;
  receivedAt: Date | null;
  sourceKey: string;
  labels?: string[];
  bytes?: number;
}

async function* mboxMessages(path: string): AsyncGenerator<RawMail> {
  for await (const m of readMbox(openMaybeGzip(path))) {
    yield {
      raw: m.raw,
      receivedAt: parseFromLineDate(m.fromLine),
      sourceKey: `mbox:${m.offset}`,
      bytes: m.offset + m.size,
    };
  }
}

/** A file or folder that could not be read: recorded as skipped, never silently dropped. */
interface Unreadable {
  sourceKey: string;
  unreadable: string;
}

async function* maildirMessages(dir: string): AsyncGenerator<RawMail | Unreadable> {
  const unreadable: Unreadable[] = [];
  const onUnreadable = (relativePath: string, reason: string) =>
    unreadable.push({ sourceKey: `maildir:${relativePath}`, unreadable: reason });
  for await (const m of readMaildir(dir, { onUnreadable })) {
    yield* unreadable.splice(0);
    yield { raw: m.raw, receivedAt: m.receivedAt, sourceKey: `maildir:${m.relativePath}`, labels: m.labels };
  }
  yield* unreadable.splice(0);
}

/**
 * The items of `source`, then `{ readError }` if reading it failed, instead of the error. Consumed with
 * `for await`, so the source is closed whatever happens while its items are stored.
 */
async function* untilReadError<T>(source: AsyncIterable<T>): AsyncGenerator<T | { readError: string }> {
  try {
    for await (const item of source) yield item;
  } catch (error) {
    yield { readError: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

export async function importFiles(
  prisma: PrismaClient,
  target: ImportTarget,
  sources: ImportSources,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const sizes = new Map<string, number>();
  for (const kind of ['mbox', 'maildir', 'ics'] as const) {
    for (const path of sources[kind]) sizes.set(path, await assertReadable(path, kind));
  }
  const batchSize = options.batchSize ?? 500;
  const { user } = target;
  const accountId = await ensureFilesAccount(prisma, user.id);
  await addSelfAddresses(prisma, user, target.aliases ?? []);
  const selfAddresses = new Set((await ownAddresses(prisma, user)).map(canonicalAddress));
  const ctx = { userId: user.id, accountId, selfAddresses };
  const summaries: SourceSummary[] = [];

  const importMail = async (
    kind: 'mbox' | 'maildir',
    source: string,
    messages: AsyncIterable<RawMail | Unreadable>,
  ) => {
    const counts = emptyCounts();
    let records: MailRecord[] = [];
    let skipped: SkippedRecord[] = [];
    let items = 0;
    const flush = async () => {
      const page = { records, skipped, deleted: [], cursor: null, done: false };
      addCounts(counts, (await storeMailPage(prisma, ctx, page, null)).counts);
      records = [];
      skipped = [];
    };
    for await (const m of untilReadError(messages)) {
      if ('readError' in m) {
        // Reading stopped half-way (a truncated .gz, a disk error): keep what was read, record where it
        // stopped, and go on with the next source.
        skipped.push({
          providerId: `${kind}:${source}:read-error`,
          reason: `reading stopped after ${items} messages: ${m.readError}`,
        });
        break;
      }
      if ('unreadable' in m) {
        skipped.push({ providerId: m.sourceKey, reason: `cannot read: ${m.unreadable}` });
        continue;
      }
      const parsed = parseMailHeaders(m.raw, {
        receivedAt: m.receivedAt,
        providerId: m.sourceKey,
        ...(m.labels ? { labels: m.labels } : {}),
      });
      if ('record' in parsed) records.push(parsed.record);
      else skipped.push(parsed.skipped);
      items++;
      if (records.length + skipped.length >= batchSize) {
        await flush();
        options.onProgress?.({
          source,
          items,
          bytes: m.bytes,
          totalBytes: kind === 'mbox' ? sizes.get(source) : undefined,
        });
      }
    }
    await flush();
    options.onProgress?.({ source, items });
    summaries.push({ ...counts, source, kind });
  };

  for (const path of sources.mbox) await importMail('mbox', path, mboxMessages(path));
  for (const dir of sources.maildir) await importMail('maildir', dir, maildirMessages(dir));
  const window = options.icsWindow ?? {
    from: new Date('1990-01-01T00:00:00Z'),
    to: new Date(Date.now() + 365 * 86_400_000),
  };
  for (const path of sources.ics) {
    const read = readIcs(await readFile(path, 'utf8'), window);
    const { records } = read;
    // A file-level problem names the file, so two broken files are two skip records, not one.
    const skipped = read.skipped.map((s) => ({ ...s, providerId: s.providerId ?? `ics:${path}` }));
    const counts = emptyCounts();
    for (let i = 0; i < Math.max(records.length, 1); i += batchSize) {
      const page = {
        records: records.slice(i, i + batchSize),
        skipped: i === 0 ? skipped : [],
        deleted: [],
        cursor: null,
        done: false,
      };
      addCounts(counts, await storeEventPage(prisma, ctx, page, false));
      options.onProgress?.({ source: path, items: Math.min(i + batchSize, records.length) });
    }
    summaries.push({ ...counts, source: path, kind: 'ics' });
  }

  const total = summaries.reduce((acc, s) => addCounts(acc, s), emptyCounts());
  return { sources: summaries, total };
}
