/**
 * `bill`'s held list, spooled and streamed, so that what the command holds for its report does not grow with the
 * agency: each chunk's held entries go to a private temporary file as one run sorted in the report's order, and the
 * report's JSON and Markdown are written at the end from a k-way merge of the runs, through write streams with
 * backpressure, under temporary names renamed once complete. The JSON is byte for byte `JSON.stringify(report, null, 2)`
 * plus a newline, the Markdown {@link renderBillMarkdown}'s (packages/cli/test/bill-report-stream.test.ts).
 */
import { once } from 'node:events';
import { type WriteStream } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import TinyQueue from 'tinyqueue';
import { CliSystemError } from '../../errors.js';
import { createPrivateWriteStream } from '../../internal/io.js';
import type { BillReport } from '../bill.js';
import { billMarkdownHead, billMarkdownTail, heldMarkdownRow } from './report.js';

/** One held (or partly held) encounter × participant of the report. */
export type HeldEntry = BillReport['held'][number];

/** A held entry with the start (ms) of its encounter: its place in the report. */
export interface HeldAt {
  at: number;
  h: HeldEntry;
}

/** The report's order of held entries: encounter start, encounter id, participant id (one evaluation of the period's order). */
export function byReportOrder(a: HeldAt, b: HeldAt): number {
  return a.at - b.at || a.h.encounterId.localeCompare(b.h.encounterId) || a.h.participantId.localeCompare(b.h.participantId);
}

/** Bytes read from a run at a time (each run holds at most this much text while the runs are merged). */
const BLOCK = 16 * 1024;

/** A private file to write; a failure (cannot open, disk full) is thrown by the next {@link put} or {@link end}, not left unhandled. */
function privateStream(path: string): WriteStream {
  return createPrivateWriteStream(path).on('error', () => undefined);
}

/** Write `text`, waiting for the stream to drain when its buffer is full (rejects when the stream has failed or fails). */
async function put(out: WriteStream, text: string): Promise<void> {
  if (out.errored) throw out.errored;
  if (!out.write(text)) await once(out, 'drain');
}

async function end(out: WriteStream): Promise<void> {
  out.end();
  await finished(out);
}

/** The lines of one run, `[start, end)` bytes of the spool, read a block at a time. */
class RunLines {
  #pos: number;
  #rest = '';
  #lines: string[] = [];
  #next = 0;
  readonly #decoder = new StringDecoder('utf8');

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
    private readonly buffer: Buffer,
  ) {
    this.#pos = start;
  }

  /** The next line, or undefined at the end of the run. */
  async line(): Promise<string | undefined> {
    while (this.#next >= this.#lines.length) {
      if (this.#pos >= this.end) return undefined;
      const { bytesRead } = await this.handle.read(this.buffer, 0, Math.min(this.buffer.length, this.end - this.#pos), this.#pos);
      if (bytesRead === 0) throw new CliSystemError('the held-items spool of bill ended early', { errno: 'EIO', hint: 'run bill again', cause: undefined }, 'cli.bill-spool-truncated');
      this.#pos += bytesRead;
      const lines = (this.#rest + this.#decoder.write(this.buffer.subarray(0, bytesRead))).split('\n');
      this.#rest = lines.pop() ?? '';
      this.#lines = lines;
      this.#next = 0;
    }
    return this.#lines[this.#next++];
  }
}

/** The head of a run in the merge: its entry and the run it came from (ties go to the earlier run, as a stable sort keeps them). */
interface Head {
  entry: HeldAt;
  run: number;
  lines: RunLines;
}

async function headOf(lines: RunLines, run: number): Promise<Head | undefined> {
  const line = await lines.line();
  if (line === undefined) return undefined;
  const [at, h] = JSON.parse(line) as [number, HeldEntry];
  return { entry: { at, h }, run, lines };
}

/**
 * Held entries spooled to a private file, one sorted run per {@link HeldSpool.run} call (one line per entry), and read
 * back merged in the report's order. The caller removes the file.
 */
export class HeldSpool {
  readonly #out: WriteStream;
  readonly #runs: { start: number; end: number }[] = [];
  #bytes = 0;
  #closed = false;

  constructor(readonly path: string) {
    this.#out = privateStream(path);
  }

  /** Runs written so far. */
  get runs(): number {
    return this.#runs.length;
  }

  /** One run: `entries` sorted in the report's order, appended. */
  async run(entries: readonly HeldAt[]): Promise<void> {
    if (entries.length === 0) return;
    const start = this.#bytes;
    for (const e of [...entries].sort(byReportOrder)) {
      const line = `${JSON.stringify([e.at, e.h])}\n`;
      this.#bytes += Buffer.byteLength(line);
      await put(this.#out, line);
    }
    this.#runs.push({ start, end: this.#bytes });
  }

  /** Close the file (complete once this resolves); closing again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await end(this.#out);
  }

  /** Every spooled entry in the report's order: a k-way merge of the runs (closes the file first). */
  async *merged(): AsyncGenerator<HeldEntry> {
    await this.close();
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(BLOCK);
      const queue = new TinyQueue<Head>([], (a, b) => byReportOrder(a.entry, b.entry) || a.run - b.run);
      for (const [i, r] of this.#runs.entries()) {
        const head = await headOf(new RunLines(handle, r.start, r.end, buffer), i);
        if (head) queue.push(head);
      }
      for (let head = queue.pop(); head !== undefined; head = queue.pop()) {
        yield head.entry.h;
        const next = await headOf(head.lines, head.run);
        if (next) queue.push(next);
      }
    } finally {
      await handle.close();
    }
  }
}

/** `JSON.stringify(report, null, 2)` cut where the held list goes: before its first entry and after its last. */
function jsonAround(report: BillReport): { head: string; tail: string } {
  const empty = '\n  "held": []';
  const text = JSON.stringify({ ...report, held: [] }, null, 2);
  // A newline only occurs between tokens (JSON escapes it in strings): this is the top-level key, once.
  const at = text.indexOf(empty);
  return { head: `${text.slice(0, at)}\n  "held": [`, tail: text.slice(at + empty.length) };
}

/** An entry as `JSON.stringify` indents it inside the report's `held` array. */
const jsonEntry = (h: HeldEntry): string => `\n    ${JSON.stringify(h, null, 2).replace(/\n/g, '\n    ')}`;

/** The temporary names the report files are written under. */
export const partialReportFiles = (files: Pick<BillReport['files'], 'reportJson' | 'reportMarkdown'>) => ({ json: `${files.reportJson}.partial`, markdown: `${files.reportMarkdown}.partial` });

/**
 * Write the report's JSON and Markdown: `report` (its `held` list is not read) with `held`, the entries in the
 * report's order, streamed into both files under temporary names ({@link partialReportFiles}) renamed once complete.
 * The caller removes the temporary files if this fails.
 */
export async function writeBillReportFiles(report: BillReport, held: AsyncIterable<HeldEntry>): Promise<void> {
  const partial = partialReportFiles(report.files);
  const json = privateStream(partial.json);
  const markdown = privateStream(partial.markdown);
  try {
    const around = jsonAround(report);
    await put(json, around.head);
    await put(markdown, billMarkdownHead(report));
    let count = 0;
    for await (const h of held) {
      await put(json, `${count++ > 0 ? ',' : ''}${jsonEntry(h)}`);
      await put(markdown, `\n${heldMarkdownRow(h)}`);
    }
    await put(json, `${count > 0 ? '\n  ]' : ']'}${around.tail}\n`);
    await put(markdown, `\n${billMarkdownTail(report)}`);
    await Promise.all([end(json), end(markdown)]);
  } catch (err) {
    json.destroy();
    markdown.destroy();
    throw err;
  }
  await rename(partial.json, report.files.reportJson);
  await rename(partial.markdown, report.files.reportMarkdown);
}
