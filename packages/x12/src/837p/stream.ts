import { Batch837Writer } from './batch.js';
import type { X12ClaimInput } from './input.js';
import type { Write837POptions } from './options.js';

/** Options for {@link write837PStream}. @category 837P */
export interface Write837PStreamOptions extends Write837POptions {
  /** Flush text once this many characters are pending; default 64 KiB. */
  readonly highWaterMark?: number;
}

/**
 * Stream an 837P interchange claim by claim: yields text chunks and never holds the whole batch.
 * Output is byte-identical to {@link write837P} for the same claims and options. A claim that fails
 * validation stops the stream with an {@link X12InputError} for that claim (paths `claims[i]…`).
 *
 * Works as a `stream.pipeline` source: `await pipeline(write837PStream(claims, opts), createWriteStream(path))`.
 *
 * Spec: ASC X12N 837P 005010X222A1; SE01 / GE01 / IEA01 are counted as the text is produced.
 *
 * @param claims - the claims with their resolved resources, as a (async) iterable
 * @param options - ISA/GS parties, usage, control numbers, submitter and claims per transaction set
 * @returns an async generator of text chunks
 * @example
 * import { pipeline } from 'node:stream/promises';
 * import { createWriteStream } from 'node:fs';
 * await pipeline(write837PStream(claimsFromDb(), options), createWriteStream('batch.837'));
 * @category 837P
 */
export async function* write837PStream(
  claims: AsyncIterable<X12ClaimInput> | Iterable<X12ClaimInput>,
  options: Write837PStreamOptions,
): AsyncGenerator<string, void, undefined> {
  const writer = new Batch837Writer(options);
  const limit = options.highWaterMark ?? 64 * 1024;
  let pending: string[] = [];
  let size = 0;
  let index = 0;
  for await (const input of claims) {
    const text = writer.add(input, index++);
    pending.push(text);
    size += text.length;
    if (size >= limit) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  pending.push(writer.finish());
  yield pending.join('');
}
