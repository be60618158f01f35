/**
 * `bill`'s group sessions kept between chunks. A chunk reads a group session whole (every attendance, note, Condition
 * and Patient), and the session's attendees fall in as many chunks as the session has attendees at most: read again in
 * each, a month's group sessions were read ~7.5 times over at 1M rows, the reads growing with the square of the
 * sessions' size (docs/benchmarks.md, B9 round 9). A session read by one chunk and attended by participants of a later
 * chunk is kept, read back as its domain record, in a private temporary file until the last chunk that needs it: each
 * is read from the server once per run, and the biller holds only where each one is in the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { PeerEncounter } from '@peer-fhir/core';
import { CliSystemError } from '../../errors.js';
import { PRIVATE_FILE_MODE } from '../../internal/io.js';

/** Where one kept session is in the file, and the last chunk that needs it. */
interface Kept {
  pos: number;
  length: number;
  last: number;
}

/**
 * For each encounter reference attended in more than one chunk (participants in the run's order, `chunkSize` to a
 * chunk), the last chunk that attends it.
 */
export function lastChunkOf(participants: readonly (readonly [string, readonly string[]])[], chunkSize: number): Map<string, number> {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  participants.forEach(([, refs], i) => {
    const chunk = Math.floor(i / chunkSize);
    for (const ref of refs) {
      if (!first.has(ref)) first.set(ref, chunk);
      last.set(ref, chunk);
    }
  });
  for (const [ref, chunk] of last) if (first.get(ref) === chunk) last.delete(ref);
  return last;
}

/** Group sessions spooled to a private file between the chunks that attend them (the caller removes the file). */
export class SessionSpool {
  readonly #last: Map<string, number>;
  readonly #kept = new Map<string, Kept>();
  #handle: Promise<FileHandle> | undefined;
  #size = 0;
  /** Sessions read from the file instead of the server. */
  reused = 0;

  /** `lastChunk`: for each encounter attended in more than one chunk, the last chunk that attends it ({@link lastChunkOf}). */
  constructor(
    readonly path: string,
    lastChunk: Map<string, number>,
  ) {
    this.#last = lastChunk;
  }

  #file(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'w+', PRIVATE_FILE_MODE);
    return this.#handle;
  }

  /** Whether a chunk after `chunk` attends `reference` (and it is not kept yet). */
  wanted(reference: string, chunk: number): boolean {
    return (this.#last.get(reference) ?? -1) > chunk && !this.#kept.has(reference);
  }

  /** Keep `encounter`, read by `reference`, for the later chunks that attend it. */
  async put(reference: string, encounter: PeerEncounter): Promise<void> {
    const last = this.#last.get(reference);
    if (last === undefined) return;
    const bytes = Buffer.from(JSON.stringify(encounter));
    const handle = await this.#file();
    const pos = this.#size;
    this.#size += bytes.length;
    await handle.write(bytes, 0, bytes.length, pos);
    this.#kept.set(reference, { pos, length: bytes.length, last });
  }

  /** The kept session of `reference`, forgotten once `chunk` is the last that attends it; undefined when not kept. */
  async take(reference: string, chunk: number): Promise<PeerEncounter | undefined> {
    const kept = this.#kept.get(reference);
    if (kept === undefined) return undefined;
    if (chunk >= kept.last) this.#kept.delete(reference);
    const buffer = Buffer.alloc(kept.length);
    const { bytesRead } = await (await this.#file()).read(buffer, 0, kept.length, kept.pos);
    if (bytesRead !== kept.length) throw new CliSystemError('the group-session spool of bill ended early', { errno: 'EIO', hint: 'run bill again', cause: undefined }, 'cli.bill-spool-truncated');
    this.reused++;
    return JSON.parse(buffer.toString('utf8')) as PeerEncounter;
  }

  /** Close the file (closing again, or a spool never written, does nothing). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle).close();
  }
}
