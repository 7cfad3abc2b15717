/**
 * Streaming mbox reader (mboxrd / mboxo / Gmail Takeout / Thunderbird; LF or CRLF; plain or gzip).
 *
 * Memory: the file is read chunk by chunk and only ONE message is buffered at a time, and of that
 * message only its header block (up to `maxHeaderBytes`) plus the first `bodyPrefixBytes` of its body
 * are kept — bodies are never stored, so an mbox with 50 MB attachments costs no more than one with
 * plain text. A single line is never held beyond `MAX_LINE_BYTES`. `size` reports the message's full
 * length in the file and `truncated` says whether anything was dropped.
 *
 * Separator rule: a line starting with "From " is a message separator when it is the first
 * non-blank line of the file, or when it looks like a From_ line (`From <sender> …` with a time of
 * day and a 19xx/20xx year) and either follows a blank line or is a strict asctime From_ line. So an
 * unescaped body line such as "From 9:00 to 10:00 we meet" (broken mboxo writers) does not split. mboxrd `>From ` quoting is undone
 * (one `>` removed) in the kept lines. Text before the first separator (e.g. a bare .eml) is yielded
 * as a message with an empty `fromLine`.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parseAsctime } from './mail-headers.js';

export interface MboxMessage {
  /** Header block + at most `bodyPrefixBytes` of body, mboxrd-unescaped, original line ends. */
  raw: Buffer;
  /** The From_ line without its line end ('' for text before the first separator). */
  fromLine: string;
  /** Byte offset of the From_ line in the (decompressed) stream. */
  offset: number;
  /** Full length of the message in the stream, From_ line included. */
  size: number;
  /** True when body bytes (or an oversized header block) were dropped from `raw`. */
  truncated: boolean;
}

export interface ReadMboxOptions {
  /** Body bytes kept after the header block (default 2048; 0 keeps headers only). */
  bodyPrefixBytes?: number;
  /**
   * Header bytes kept before giving up on finding the header end (default 512 KiB). Larger than
   * parseMailHeaders' 256 KB limit so such messages arrive visibly oversized and are skipped there.
   */
  maxHeaderBytes?: number;
}

export const MAX_LINE_BYTES = 1024 * 1024;

/** `From <sender> … hh:mm … yyyy`: a time of day and a year, so "From 9:00 to 10:00 we meet" is not one. */
const LOOSE_FROM_LINE =
  /^From \S+\s.*\d{1,2}:\d{2}.*\b(?:19|20)\d{2}\b|^From \S+\s.*\b(?:19|20)\d{2}\b.*\d{1,2}:\d{2}/;
const STRICT_FROM_LINE =
  /^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +\d{1,2}:\d{2}(?::\d{2})? +(?:[A-Za-z]{1,5} +|[+-]\d{4} +)?\d{4}/;

function startsWithFrom(line: Buffer, at = 0): boolean {
  return (
    line.length - at >= 5 &&
    line[at] === 70 && // F
    line[at + 1] === 114 && // r
    line[at + 2] === 111 && // o
    line[at + 3] === 109 && // m
    line[at + 4] === 32
  );
}

function isBlank(line: Buffer): boolean {
  return line.length === 1 ? line[0] === 10 : line.length === 2 && line[0] === 13 && line[1] === 10;
}

/** `>From `, `>>From ` … → one `>` less (mboxrd). */
function unescapeMboxrd(line: Buffer): Buffer {
  if (line[0] !== 62) return line; // '>'
  let i = 0;
  while (i < line.length && line[i] === 62) i++;
  return startsWithFrom(line, i) ? line.subarray(1) : line;
}

function lineText(line: Buffer): string {
  return line.toString('utf8').replace(/\r?\n$/, '');
}

class PendingMessage {
  parts: Buffer[] = [];
  kept = 0;
  size = 0;
  inHeaders = true;
  bodyKept = 0;
  truncated = false;
  lastPushedBlank = false;

  constructor(
    readonly fromLine: string,
    readonly offset: number,
    private readonly bodyPrefixBytes: number,
    private readonly maxHeaderBytes: number,
  ) {}

  isSkippingBody(): boolean {
    return !this.inHeaders && this.bodyKept >= this.bodyPrefixBytes;
  }

  add(line: Buffer, lineLength: number): void {
    this.size += lineLength;
    if (this.inHeaders) {
      if (this.kept + line.length > this.maxHeaderBytes) {
        // Oversized (or never-ending) header block: keep what we have, parseMailHeaders skips it.
        this.inHeaders = false;
        this.truncated = true;
        this.bodyKept = this.bodyPrefixBytes;
        return;
      }
      const blank = isBlank(line);
      this.push(blank ? line : unescapeMboxrd(line), blank);
      if (blank) this.inHeaders = false;
      return;
    }
    if (this.bodyKept >= this.bodyPrefixBytes) {
      this.truncated = true;
      return;
    }
    const room = this.bodyPrefixBytes - this.bodyKept;
    const unescaped = unescapeMboxrd(line);
    const piece = unescaped.length > room ? unescaped.subarray(0, room) : unescaped;
    if (piece.length < unescaped.length) this.truncated = true;
    this.bodyKept += piece.length;
    this.push(piece, isBlank(piece));
  }

  private push(piece: Buffer, blank: boolean): void {
    // No copy: a kept subarray pins its read chunk (256 KiB) until finish() concatenates, which
    // bounds the cost at the few chunks one message's header block + prefix can span.
    this.parts.push(piece);
    this.kept += piece.length;
    this.lastPushedBlank = blank;
  }

  finish(endedByLastLine: boolean): MboxMessage {
    // The blank line mbox writers put before the next From_ line belongs to the format, not the message.
    if (endedByLastLine && this.lastPushedBlank && !this.inHeaders && this.parts.length > 1) {
      const last = this.parts.pop()!;
      this.kept -= last.length;
    }
    return {
      raw: Buffer.concat(this.parts, this.kept),
      fromLine: this.fromLine,
      offset: this.offset,
      size: this.size,
      truncated: this.truncated,
    };
  }
}

/**
 * Yields the messages of an mbox stream one at a time (see the module comment for the rules).
 * Errors of the underlying stream (I/O, corrupt gzip) are thrown from the iteration.
 */
export async function* readMbox(
  input: NodeJS.ReadableStream,
  options: ReadMboxOptions = {},
): AsyncGenerator<MboxMessage> {
  const bodyPrefixBytes = Math.max(0, options.bodyPrefixBytes ?? 2048);
  const maxHeaderBytes = Math.max(1024, options.maxHeaderBytes ?? 512 * 1024);

  let current: PendingMessage | null = null;
  let prevBlank = false;
  let seenContent = false;
  let lastLineWasKeptInCurrent = false;

  // Partial line carried across chunks (capped at MAX_LINE_BYTES; `carryLength` counts everything).
  let carry: Buffer[] = [];
  let carryKept = 0;
  let carryLength = 0;
  let lineOffset = 0;

  const handleLine = (line: Buffer, fullLength: number, offset: number): MboxMessage | null => {
    let emitted: MboxMessage | null = null;
    const blank = isBlank(line);
    if (startsWithFrom(line)) {
      const text = lineText(line.subarray(0, Math.min(line.length, 4096)));
      const isSeparator = !seenContent
        ? true
        : LOOSE_FROM_LINE.test(text.slice(0, 300)) &&
          (prevBlank || STRICT_FROM_LINE.test(text.slice(0, 300)));
      if (isSeparator) {
        if (current) emitted = current.finish(lastLineWasKeptInCurrent);
        current = new PendingMessage(text, offset, bodyPrefixBytes, maxHeaderBytes);
        current.size += fullLength;
        seenContent = true;
        prevBlank = false;
        lastLineWasKeptInCurrent = false;
        return emitted;
      }
    }
    if (!current) {
      if (blank && !seenContent) {
        prevBlank = true;
        return null; // leading blank lines
      }
      current = new PendingMessage('', offset, bodyPrefixBytes, maxHeaderBytes);
    }
    seenContent = true;
    const before = current.parts.length;
    current.add(line, fullLength);
    lastLineWasKeptInCurrent = current.parts.length > before;
    prevBlank = blank;
    return emitted;
  };

  for await (const chunkAny of input) {
    const chunk = typeof chunkAny === 'string' ? Buffer.from(chunkAny, 'utf8') : (chunkAny as Buffer);
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      // Fast path for the bulk of a long body: once the prefix is full, a line only matters if it
      // could be a From_ line ('F') — everything else just advances the counters.
      const skipping = current as PendingMessage | null;
      if (nl !== -1 && carryLength === 0 && skipping?.isSkippingBody() && !startsWithFrom(chunk, pos)) {
        const length = nl + 1 - pos;
        prevBlank = length === 1 || (length === 2 && chunk[pos] === 13);
        skipping.size += length;
        skipping.truncated = true;
        lastLineWasKeptInCurrent = false;
        lineOffset += length;
        pos = nl + 1;
        continue;
      }
      const end = nl === -1 ? chunk.length : nl + 1;
      const piece = chunk.subarray(pos, end);
      pos = end;
      if (nl === -1) {
        // Incomplete line: carry it over (capped).
        const room = MAX_LINE_BYTES - carryKept;
        if (room > 0) {
          const kept = piece.length > room ? piece.subarray(0, room) : piece;
          carry.push(Buffer.from(kept));
          carryKept += kept.length;
        }
        carryLength += piece.length;
        break;
      }
      let line: Buffer;
      let fullLength: number;
      if (carryLength > 0) {
        const room = MAX_LINE_BYTES - carryKept;
        if (room > 0) carry.push(piece.length > room ? piece.subarray(0, room) : piece);
        line = Buffer.concat(carry);
        fullLength = carryLength + piece.length;
        carry = [];
        carryKept = 0;
        carryLength = 0;
      } else {
        line = piece;
        fullLength = piece.length;
      }
      const message = handleLine(line, fullLength, lineOffset);
      lineOffset += fullLength;
      if (message) yield message;
    }
  }
  if (carryLength > 0) {
    // Last line without a trailing newline.
    const message = handleLine(Buffer.concat(carry), carryLength, lineOffset);
    lineOffset += carryLength;
    carry = [];
    if (message) yield message;
  }
  const last = current as PendingMessage | null;
  if (last) yield last.finish(lastLineWasKeptInCurrent);
}

/** Delivery time from a From_ line ("From sender Thu Jan  1 00:00:00 1970"); null when absent or the epoch placeholder. */
export function parseFromLineDate(fromLine: string): Date | null {
  const m = /^From\s+\S+\s+(.*)$/.exec(fromLine.trim());
  if (!m) return null;
  const date = parseAsctime(m[1]!);
  if (!date || date.getTime() === 0) return null;
  return date;
}

/**
 * Opens a file for readMbox, gunzipping when it starts with the gzip magic bytes (1f 8b) whatever
 * its name. Multi-member gzip files are handled. Throws synchronously if the file cannot be opened.
 */
export function openMaybeGzip(path: string): Readable {
  const fd = openSync(path, 'r');
  const magic = Buffer.alloc(2);
  let n = 0;
  try {
    n = readSync(fd, magic, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (n === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    // pipeline destroys the gunzip stream with any read or inflate error, so it reaches the consumer.
    return pipeline(source, createGunzip({ chunkSize: 256 * 1024 }), () => {});
  }
  return source;
}
