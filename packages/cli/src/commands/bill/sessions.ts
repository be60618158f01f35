/**
 * `bill`'s group sessions kept between chunks. A chunk reads a group session whole (every attendance, note, Condition
 * and Patient), and the session's attendees fall in as many chunks as the session has attendees at most: read again in
 * each, a month's group sessions were read ~7.5 times over at 1M rows, the reads growing with the square of the
 * sessions' size (docs/benchmarks.md, B9 round 9). A session read by one chunk and attended by participants of a later
 * chunk is kept, read back as its domain record, in a private temporary file until the last chunk that needs it: each
 * is read from the server once per run, and the biller holds only where each one is in the file.
 */
import type { PeerEncounter } from '@peer-fhir/core';
import { RecordFile, type RecordAt } from './record-file.js';

/** Where one kept session is in the file, and the last chunk that needs it. */
interface Kept extends RecordAt {
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
  readonly #file: RecordFile;
  readonly #kept = new Map<string, Kept>();
  /** Sessions read from the file instead of the server. */
  reused = 0;

  /** `lastChunk`: for each encounter attended in more than one chunk, the last chunk that attends it ({@link lastChunkOf}). */
  constructor(
    readonly path: string,
    private readonly lastChunk: Map<string, number>,
  ) {
    this.#file = new RecordFile(path, 'the group-session spool of bill');
  }

  /** Whether a chunk after `chunk` attends `reference` (and it is not kept yet). */
  wanted(reference: string, chunk: number): boolean {
    return (this.lastChunk.get(reference) ?? -1) > chunk && !this.#kept.has(reference);
  }

  /** Keep `encounter`, read by `reference`, for the later chunks that attend it. */
  async put(reference: string, encounter: PeerEncounter): Promise<void> {
    const last = this.lastChunk.get(reference);
    if (last === undefined) return;
    this.#kept.set(reference, { ...(await this.#file.append(encounter)), last });
  }

  /** The kept session of `reference`, forgotten once `chunk` is the last that attends it; undefined when not kept. */
  async take(reference: string, chunk: number): Promise<PeerEncounter | undefined> {
    const kept = this.#kept.get(reference);
    if (kept === undefined) return undefined;
    if (chunk >= kept.last) this.#kept.delete(reference);
    const encounter = await this.#file.read<PeerEncounter>(kept);
    this.reused++;
    return encounter;
  }

  /** Close the file (closing again, or a spool never written, does nothing). */
  close(): Promise<void> {
    return this.#file.close();
  }
}
