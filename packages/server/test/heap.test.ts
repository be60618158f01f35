// What src/heap.ts relies on in Node/V8 (its header): `--expose-gc` set at run time gives a new context a `gc` that
// runs a full collection. Fails when a Node upgrade breaks it (the server's peak memory would then follow its work
// again, issue 18 B9-server). Memory itself is measured by the benchmarks, never asserted here.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { collectOnce } from '../src/heap.js';

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
