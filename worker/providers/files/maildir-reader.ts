/**
 * Maildir reader: walks a directory tree and yields every message file.
 *
 * Accepts real Maildir / Maildir++ (`cur/`, `new/`, `.Sent/cur/…`; `tmp/` next to them is skipped as
 * in-delivery) and plain folder trees of message files such as the Enron release
 * (`<user>/inbox/<n>.`). Order is deterministic: directories and files sorted with a numeric-aware
 * comparison ("2" before "10"). Symbolic links are not followed; hidden files and known
 * Dovecot/Courier metadata files are ignored.
 *
 * Memory: each file is read only up to its header end plus `bodyPrefixBytes` (at most
 * `maxHeaderBytes` + prefix), never whole.
 */
import { open, readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { cutToHeadersAndPrefix, findHeaderEnd, folderLabels } from './mail-headers.js';

export interface MaildirMessage {
  /** Header block + at most `bodyPrefixBytes` of body. */
  raw: Buffer;
  /** Path of the file (joined onto the `dir` argument). */
  path: string;
  /** Path relative to `dir`, with `/` separators. */
  relativePath: string;
  /** Full size of the file. */
  size: number;
  truncated: boolean;
  /** Delivery time from a Maildir unique name ("1467123456.M1P2.host:2,S"), else null. */
  receivedAt: Date | null;
  /** Labels implied by the folder (".Sent" → SENT, "sent_items" → SENT, "inbox" → INBOX) and Maildir flags (D → DRAFT, T → TRASH). */
  labels: string[];
}

export interface ReadMaildirOptions {
  bodyPrefixBytes?: number;
  maxHeaderBytes?: number;
  /** Told about every sub-directory or file that could not be read (it is then left out). */
  onUnreadable?: (relativePath: string, reason: string) => void;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
const compareNames = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

const METADATA_FILE =
  /^(?:dovecot[-.].*|maildirfolder|maildirsize|subscriptions|courierimap.*|\.?uidvalidity.*|.*\.lock|Thumbs\.db|desktop\.ini)$/i;

/** Maildir delivery time from the unique file name, if it has the "<unix seconds>." prefix. */
function maildirTime(name: string): Date | null {
  const m = /^(\d{9,10})\./.exec(name);
  if (!m) return null;
  const d = new Date(Number(m[1]) * 1000);
  return Number.isNaN(d.getTime()) ? null : d;
}

function maildirFlagLabels(name: string): string[] {
  const m = /:2,([A-Za-z]*)$/.exec(name);
  if (!m) return [];
  const flags = m[1]!;
  const labels: string[] = [];
  if (flags.includes('D')) labels.push('DRAFT');
  if (flags.includes('T')) labels.push('TRASH');
  return labels;
}

async function readHead(
  path: string,
  maxHeaderBytes: number,
  bodyPrefixBytes: number,
): Promise<{ raw: Buffer; size: number; truncated: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const cap = Math.min(size, maxHeaderBytes + bodyPrefixBytes);
    let buf = Buffer.alloc(Math.min(cap, 64 * 1024));
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      filled += bytesRead;
      if (bytesRead === 0 || filled >= cap) break;
      if (filled < buf.length) continue;
      const headerEnd = findHeaderEnd(buf.subarray(0, filled));
      if (headerEnd !== -1 && filled >= headerEnd + bodyPrefixBytes) break;
      const bigger = Buffer.alloc(Math.min(cap, buf.length * 2));
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const head = buf.subarray(0, filled);
    const cut = cutToHeadersAndPrefix(head, bodyPrefixBytes);
    return { raw: Buffer.from(cut.raw), size, truncated: cut.truncated || filled < size };
  } finally {
    await handle.close();
  }
}

/**
 * Yields every message file under `dir` (see the module comment). I/O errors on the root are
 * thrown; an unreadable sub-directory or file is left out and reported to `onUnreadable`.
 */
export async function* readMaildir(
  dir: string,
  options: ReadMaildirOptions = {},
): AsyncGenerator<MaildirMessage> {
  const bodyPrefixBytes = Math.max(0, options.bodyPrefixBytes ?? 2048);
  const maxHeaderBytes = Math.max(1024, options.maxHeaderBytes ?? 512 * 1024);

  const unreadable = (path: string, error: unknown) =>
    options.onUnreadable?.(
      relative(dir, path).split(sep).join('/'),
      (error as NodeJS.ErrnoException).code ?? (error as Error).message,
    );

  async function* walk(
    current: string,
    isRoot: boolean,
    folderPath: string[],
  ): AsyncGenerator<MaildirMessage> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if (isRoot) throw error;
      unreadable(current, error);
      return;
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    const names = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
    const isMaildir = names.has('cur') || names.has('new');

    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (isMaildir && entry.name === 'tmp') continue;
        // cur/ and new/ carry no folder meaning; Maildir++ ".Sent" and plain "sent_items" do.
        const isStateDir = isMaildir && (entry.name === 'cur' || entry.name === 'new');
        yield* walk(path, false, isStateDir ? folderPath : [...folderPath, entry.name]);
        continue;
      }
      if (!entry.isFile()) continue; // symlinks, sockets, …
      if (entry.name.startsWith('.') || METADATA_FILE.test(entry.name)) continue;
      let head: { raw: Buffer; size: number; truncated: boolean };
      try {
        head = await readHead(path, maxHeaderBytes, bodyPrefixBytes);
      } catch (error) {
        unreadable(path, error);
        continue;
      }
      const folder = folderPath[folderPath.length - 1] ?? '';
      const labels = [...new Set([...folderLabels(folder), ...maildirFlagLabels(entry.name)])];
      yield {
        raw: head.raw,
        path,
        relativePath: relative(dir, path).split(sep).join('/'),
        size: head.size,
        truncated: head.truncated,
        receivedAt: maildirTime(entry.name),
        labels,
      };
    }
  }

  yield* walk(dir, true, [basename(dir)]);
}
