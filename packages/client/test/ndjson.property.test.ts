// NDJSON (https://hl7.org/fhir/R4/nd-json.html): one resource a line, `\n` (or `\r\n`) between lines. However the
// bytes arrive — split anywhere, inside a multi-byte character or a CRLF, gzip-compressed or not — the reader yields
// exactly the resources written, in order, with their line numbers.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ndjsonLines, NdjsonLineError, readNdjson } from '../src/index.js';

const SEED = Number(process.env.PEER_FHIR_SEED ?? 21);
const RUNS = process.env.PEER_FHIR_LONG === '1' ? 5_000 : 150;

const resource = fc.record({ resourceType: fc.constantFrom('Patient', 'Encounter'), id: fc.string({ minLength: 1, maxLength: 8 }), text: fc.string({ unit: 'binary', maxLength: 20 }) });

/** The bytes cut at the given positions. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

async function* stream(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('reading NDJSON', () => {
  it('yields exactly the resources written, whatever the chunking, line ending and compression', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(resource, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), fc.boolean(), async (resources, at, crlf, gzip) => {
        const text = resources.map((r) => JSON.stringify(r)).join(crlf ? '\r\n' : '\n');
        const raw = new TextEncoder().encode(text);
        const bytes = gzip ? new Uint8Array(gzipSync(raw)) : raw;
        expect(await collect(readNdjson(stream(cut(bytes, at))))).toEqual(resources);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('numbers lines from 1, counting blank ones', async () => {
    const lines = await collect(ndjsonLines(stream([new TextEncoder().encode('{"resourceType":"Patient"}\n\n{"resourceType":"Patient"}\n')])));
    expect(lines.map((l) => l.line)).toEqual([1, 3]);
  });

  it('refuses a line longer than maxLineBytes without holding more of it', async () => {
    const long = new TextEncoder().encode(`{"resourceType":"Patient","x":"${'a'.repeat(5000)}"}\n`);
    const err = await collect(readNdjson(stream(cut(long, [100, 200, 300, 4000])), { maxLineBytes: 1024 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NdjsonLineError);
    expect((err as NdjsonLineError).problem).toBe('too-long');
  });
});
