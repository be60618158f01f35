/**
 * `bill`'s month of participants, kept in a private temporary file chunk by chunk. The month's participant list (each
 * participant with the encounters it attends, in claim order) is the one thing a run holds that grows with the agency:
 * ~16 MB of live heap for a 1M-row month, which the heap budget lets take twice that of memory (docs/benchmarks.md,
 * B9 round 9). Written once as one line per chunk, it is read back a chunk at a time, so the biller holds one chunk's
 * participants and where each chunk is in the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CliSystemError } from '../../errors.js';
import { PRIVATE_FILE_MODE } from '../../internal/io.js';

/** One participant (domain id) with the encounters it attends (`Encounter/{id}`). */
export type ParticipantEncounters = [string, string[]];

/** The month's participants, `size` to a chunk, in a private file (the caller removes it). */
export class ParticipantChunks {
  readonly #at: { pos: number; length: number }[] = [];
  #handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    /** Participants of the month. */
    readonly participants: number,
  ) {}

  /** Write `participants` to a new private file at `path`, `size` to a chunk (at least one). */
  static async write(path: string, participants: readonly ParticipantEncounters[], size: number): Promise<ParticipantChunks> {
    const chunks = new ParticipantChunks(path, participants.length);
    const handle = await open(path, 'w+', PRIVATE_FILE_MODE);
    chunks.#handle = handle;
    let pos = 0;
    for (let i = 0; i < participants.length; i += size) {
      const bytes = Buffer.from(JSON.stringify(participants.slice(i, i + size)));
      await handle.write(bytes, 0, bytes.length, pos);
      chunks.#at.push({ pos, length: bytes.length });
      pos += bytes.length;
    }
    return chunks;
  }

  /** Chunks in the file. */
  get count(): number {
    return this.#at.length;
  }

  /** Chunk `i` (0-based) read back. */
  async read(i: number): Promise<ParticipantEncounters[]> {
    const at = this.#at[i];
    if (at === undefined || this.#handle === undefined) throw new RangeError(`no chunk ${i}`);
    const buffer = Buffer.alloc(at.length);
    const { bytesRead } = await this.#handle.read(buffer, 0, at.length, at.pos);
    if (bytesRead !== at.length) throw new CliSystemError('the participant spool of bill ended early', { errno: 'EIO', hint: 'run bill again', cause: undefined }, 'cli.bill-spool-truncated');
    return JSON.parse(buffer.toString('utf8')) as ParticipantEncounters[];
  }

  /** Close the file (closing again does nothing). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}
