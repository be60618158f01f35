import type { FhirResource } from 'fhir/r4.js';
import { NdjsonLineError } from './bulk-errors.js';

/**
 * What {@link readNdjson} reads: byte chunks (a fetch body, a file stream; gzip is recognised by its magic number and
 * unpacked on the fly) or text chunks.
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * const source: NdjsonSource = createReadStream('Patient.ndjson');
 * ```
 * @category Bulk Data
 */
export type NdjsonSource = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

/**
 * Options of {@link readNdjson}.
 * @example
 * ```ts
 * const opts: ReadNdjsonOptions = { source: 'Patient.ndjson', resourceType: 'Patient' };
 * ```
 * @category Bulk Data
 */
export interface ReadNdjsonOptions {
  /** A label for errors' `source` (never put in a message), e.g. the output's type or the file name. */
  source?: string | undefined;
  /** Every line must be a resource of this type (a Bulk Data output file holds one type). */
  resourceType?: string | undefined;
  /** Longest line read, in bytes (default 16 MiB): a longer one fails with `NdjsonLineError` (`too-long`). */
  maxLineBytes?: number | undefined;
  /** Stop reading when aborted (the reason is thrown). */
  signal?: AbortSignal | undefined;
}

/**
 * One line of an NDJSON stream: its 1-based number and its text (without the line break).
 * @example
 * ```ts
 * const l: NdjsonLine = { line: 1, text: '{"resourceType":"Patient"}' };
 * ```
 * @category Bulk Data
 */
export interface NdjsonLine {
  line: number;
  text: string;
}

const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

async function* chunksOf(source: NdjsonSource): AsyncGenerator<Uint8Array | string> {
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array | string>;
    return;
  }
  // A ReadableStream without async iteration (older browsers).
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function isGzip(chunk: Uint8Array | string): chunk is Uint8Array {
  return typeof chunk !== 'string' && chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

/** Unpack a gzip byte stream as it arrives (RFC 1952), with the platform's DecompressionStream. */
async function* gunzip(first: Uint8Array, rest: AsyncIterator<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const pump = (async () => {
    try {
      await writer.write(first as Uint8Array<ArrayBuffer>);
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        await writer.write(typeof next.value === 'string' ? new TextEncoder().encode(next.value) : (next.value as Uint8Array<ArrayBuffer>));
      }
      await writer.close();
    } catch (err) {
      await writer.abort(err).catch(() => undefined);
    }
  })();
  try {
    yield* chunksOf(stream.readable) as AsyncGenerator<Uint8Array>;
  } finally {
    await pump;
  }
}

/** The first chunks joined until they hold the two bytes gzip's magic number needs (a stream may start with 0 or 1). */
async function head(chunks: AsyncIterator<Uint8Array | string>): Promise<Uint8Array | string | undefined> {
  let first: Uint8Array | undefined;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    if (typeof next.value === 'string') return first === undefined ? next.value : new TextDecoder().decode(first) + next.value;
    first = first === undefined ? next.value : concat(first, next.value);
    if (first.length >= 2) return first;
  }
  return first;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The chunks, gunzipped when the first bytes are gzip's magic number. */
async function* unpacked(source: NdjsonSource): AsyncGenerator<Uint8Array | string> {
  const chunks = chunksOf(source);
  const first = await head(chunks);
  if (first === undefined) return;
  if (isGzip(first)) {
    yield* gunzip(first, chunks);
    return;
  }
  yield first;
  yield* chunks;
}

/**
 * Split an NDJSON stream into lines, a chunk at a time: memory holds one chunk and one line, whatever the stream's
 * size. Blank lines are skipped (but counted); `\r\n` ends a line as `\n` does.
 *
 * See https://hl7.org/fhir/R4/nd-json.html.
 * @param source - NDJSON as a web stream or an async iterable of bytes or text
 * @param options - the expected resource type, the longest line accepted, a label for errors
 * @returns each non-empty line with its line number
 * @throws NdjsonLineError (`too-long`) for a line over `maxLineBytes`
 * @example
 * ```ts
 * for await (const { line, text } of ndjsonLines(response.body!)) console.log(line, text.length);
 * ```
 * @category Bulk Data
 */
export async function* ndjsonLines(source: NdjsonSource, options: ReadNdjsonOptions = {}): AsyncGenerator<NdjsonLine> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new TextDecoder();
  let pending = '';
  let line = 0;
  for await (const chunk of unpacked(source)) {
    if (options.signal?.aborted) throw options.signal.reason;
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, at).replace(/\r$/, '');
      pending = pending.slice(at + 1);
      line++;
      if (text.trim() !== '') yield { line, text };
    }
    // Characters, not bytes, but a UTF-8 character is at least one byte: never more memory than the limit allows.
    if (pending.length > max) throw new NdjsonLineError(line + 1, options.source ?? 'ndjson', 'too-long');
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield { line: line + 1, text: pending.replace(/\r$/, '') };
}

/** The resource on one line, or the reason it is not one. */
export function parseNdjsonLine(entry: NdjsonLine, options: ReadNdjsonOptions): FhirResource {
  let value: unknown;
  try {
    value = JSON.parse(entry.text);
  } catch {
    throw new NdjsonLineError(entry.line, options.source ?? 'ndjson', 'not-json');
  }
  const type = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { resourceType?: unknown }).resourceType : undefined;
  if (typeof type !== 'string') throw new NdjsonLineError(entry.line, options.source ?? 'ndjson', 'not-a-resource');
  if (options.resourceType !== undefined && type !== options.resourceType) throw new NdjsonLineError(entry.line, options.source ?? 'ndjson', 'type-mismatch');
  return value as FhirResource;
}

/**
 * Read FHIR resources from an NDJSON stream (a Bulk Data output, a vendor's EHI export, a file), one at a time, with
 * bounded memory. A line that is not a resource stops the reading with {@link NdjsonLineError} naming its line
 * number (never its text); use {@link ndjsonLines} with your own parsing to skip such lines instead.
 *
 * See https://hl7.org/fhir/R4/nd-json.html.
 * @param source - NDJSON as a web stream or an async iterable of bytes or text
 * @param options - the expected resource type, the longest line accepted, a label for errors
 * @returns each line's resource, in order
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * for await (const resource of readNdjson(createReadStream('Patient.ndjson'), { resourceType: 'Patient' })) console.log(resource.id);
 * ```
 * @category Bulk Data
 */
export async function* readNdjson(source: NdjsonSource, options: ReadNdjsonOptions = {}): AsyncGenerator<FhirResource> {
  for await (const entry of ndjsonLines(source, options)) yield parseNdjsonLine(entry, options);
}
