/**
 * `bill`'s month of participants, kept in a private temporary file chunk by chunk. The month's participant list (each
 * participant with the encounters it attends, in claim order) is the one thing a run holds that grows with the agency:
 * ~16 MB of live heap for a 1M-row month, which the heap budget lets take twice that of memory (docs/benchmarks.md,
 * B9 round 9). Written once as one record per chunk, it is read back a chunk at a time, so the biller holds one
 * chunk's participants and where each chunk is in the file.
 */
import { RecordFile, type RecordAt } from './record-file.js';

/** One participant (domain id) with the encounters it attends (`Encounter/{id}`). */
export type ParticipantEncounters = [string, string[]];

/** The month's participants, `size` to a chunk, in a private file (the caller removes it). */
export class ParticipantChunks {
  readonly #at: RecordAt[] = [];

  private constructor(private readonly file: RecordFile) {}

  /** The file's path. */
  get path(): string {
    return this.file.path;
  }

  /** Write `participants` to a new private file at `path`, `size` to a chunk (at least one). */
  static async write(path: string, participants: readonly ParticipantEncounters[], size: number): Promise<ParticipantChunks> {
    const chunks = new ParticipantChunks(new RecordFile(path, 'the participant spool of bill'));
    for (let i = 0; i < participants.length; i += size) chunks.#at.push(await chunks.file.append(participants.slice(i, i + size)));
    return chunks;
  }

  /** Chunks in the file. */
  get count(): number {
    return this.#at.length;
  }

  /** Chunk `i` (0-based) read back. */
  read(i: number): Promise<ParticipantEncounters[]> {
    const at = this.#at[i];
    if (at === undefined) throw new RangeError(`no chunk ${i}`);
    return this.file.read<ParticipantEncounters[]>(at);
  }

  /** Close the file (closing again does nothing). */
  close(): Promise<void> {
    return this.file.close();
  }
}
