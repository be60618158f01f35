import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FhirResource } from 'fhir/r4.js';
import { ndjsonLines } from '../ndjson.js';

// Ingest's temporary files: the service-scoped resources (encounters, their diagnoses and notes) of an input are
// written here instead of being held, then read back one partition at a time. The files hold PHI: owner-only, in a
// private folder, removed when the ingest ends (also on failure).

/** A resource with its 1-based line (or position) in the input. */
export interface SpilledLine {
  line: number;
  resource: FhirResource;
}

/** An append-only file of `[line, resource]` pairs, one a line. */
export class SpillFile {
  count = 0;
  readonly #out: WriteStream;

  constructor(readonly path: string) {
    this.#out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  }

  async write(entry: SpilledLine): Promise<void> {
    this.count++;
    // Backpressure: never more than the stream's buffer waits in memory.
    if (!this.#out.write(`${JSON.stringify([entry.line, entry.resource])}\n`)) await once(this.#out, 'drain');
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.#out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  /** The entries written, in order, read a chunk at a time. */
  async *read(maxLineBytes: number): AsyncGenerator<SpilledLine> {
    for await (const { text } of ndjsonLines(createReadStream(this.path), { maxLineBytes })) {
      const [line, resource] = JSON.parse(text) as [number, FhirResource];
      yield { line, resource };
    }
  }
}

/** A private temporary folder for one ingest's files. */
export class SpillFolder {
  #files = 0;

  private constructor(readonly dir: string) {}

  static async create(parent: string | undefined): Promise<SpillFolder> {
    // mkdtemp creates the folder 0700.
    return new SpillFolder(await mkdtemp(join(parent ?? tmpdir(), 'peer-fhir-ingest-')));
  }

  file(): SpillFile {
    return new SpillFile(join(this.dir, `${this.#files++}.ndjson`));
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
