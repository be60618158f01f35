// What src/heap.ts relies on in Node/V8 (its header): `--expose-gc` set at run time gives a new context a `gc` that
// runs a full collection. Fails when a Node upgrade breaks it (the server's peak memory would then follow its work
// again, issue 18 B9-server). And when the server uses it: only when asked (`collectAfterOpen`), never because an
// embedding application gave it a data folder. Memory itself is measured by the benchmarks, never asserted here.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it, vi } from 'vitest';
import { collectOnce } from '../src/heap.js';
import { startFhirServer } from '../src/index.js';

// The real collectOnce, watched: the server's calls to it are counted.
vi.mock('../src/heap.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/heap.js')>();
  return { ...actual, collectOnce: vi.fn(actual.collectOnce) };
});

/** A `gc` entry's kind (`detail.kind`, Node ≥ 16). */
const kindOf = (entry: PerformanceEntry): number => ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1);

/** The kinds of the garbage collections run while `fn` runs (perf_hooks `gc` entries, delivered asynchronously). */
async function collectionsDuring(fn: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) kinds.push(kindOf(entry));
  });
  observer.observe({ entryTypes: ['gc'] });
  fn();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return kinds;
}

describe('collectOnce: one full collection per process', () => {
  it('runs a major collection the first time it is called', async () => {
    let collected = false;
    const kinds = await collectionsDuring(() => (collected = collectOnce()));
    expect(collected).toBe(true);
    expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MAJOR);
  });

  it('does nothing when called again, and leaves no global gc behind', () => {
    expect(collectOnce()).toBe(false);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

describe('startFhirServer: the forced collection is an option', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'peer-fhir-heap-'));

  it('does not collect on a data folder unless asked (an embedding application keeps its own heap policy)', async () => {
    vi.mocked(collectOnce).mockClear();
    const server = await startFhirServer({ dataDir: folder() });
    await server.close();
    expect(collectOnce).not.toHaveBeenCalled();
  }, 120_000);

  it('collects once the server listens when collectAfterOpen is set (peer-fhir serve)', async () => {
    vi.mocked(collectOnce).mockClear();
    const server = await startFhirServer({ dataDir: folder(), collectAfterOpen: true });
    await server.close();
    expect(collectOnce).toHaveBeenCalledTimes(1);
  }, 120_000);
});
