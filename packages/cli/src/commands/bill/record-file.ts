/**
 * A private temporary file of JSON records, each written once at the end and read back by where it is: what `bill`
 * keeps out of memory for the length of a run (the participant list a chunk at a time, group sessions between chunks).
 * The caller removes the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CliSystemError } from '../../errors.js';
import { PRIVATE_FILE_MODE } from '../../internal/io.js';

/** Where a record is in the file. */
export interface RecordAt {
  pos: number;
  length: number;
}

export class RecordFile {
  #handle: Promise<FileHandle> | undefined;
  #size = 0;

  /** `what` names the file in the error a truncated read throws ("the participant spool of bill"). */
  constructor(
    readonly path: string,
    private readonly what: string,
  ) {}

  /** Opened (created, mode 0600) at the first write. */
  #file(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'w+', PRIVATE_FILE_MODE);
    return this.#handle;
  }

  /** `value` as JSON appended; where it is. */
  async append(value: unknown): Promise<RecordAt> {
    const bytes = Buffer.from(JSON.stringify(value));
    const handle = await this.#file();
    const at = { pos: this.#size, length: bytes.length };
    this.#size += bytes.length;
    await handle.write(bytes, 0, bytes.length, at.pos);
    return at;
  }

  /** The record at `at`, parsed. */
  async read<T>(at: RecordAt): Promise<T> {
    const buffer = Buffer.alloc(at.length);
    const { bytesRead } = await (await this.#file()).read(buffer, 0, at.length, at.pos);
    if (bytesRead !== at.length) throw new CliSystemError(`${this.what} ended early`, { errno: 'EIO', hint: 'run bill again', cause: undefined }, 'cli.bill-spool-truncated');
    return JSON.parse(buffer.toString('utf8')) as T;
  }

  /** Close the file (closing again, or a file never written, does nothing). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle).close();
  }
}
