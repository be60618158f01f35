// What watchHeap (src/heap.ts) relies on in Node/V8 (its header): `--expose-gc` set at run time gives a new context
// a `gc` that runs a full collection, and a watched heap is collected only while it is over its budget. Fails when a
// Node upgrade breaks it (the biller's peak memory would then follow the length of its run again, issue 18 B9-bill).
// Memory itself is measured by the benchmarks, never asserted here.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { watchHeap } from '../src/heap.js';

/** A `gc` entry's kind (`detail.kind`, Node ≥ 16). */
const kindOf = (entry: PerformanceEntry): number => ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1);

/** Watches the heap with `bytes` for `ms`; the collections it ran and the kinds of every collection meanwhile. */
async function watchFor(bytes: number, ms: number): Promise<{ collections: number; kinds: number[] }> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) kinds.push(kindOf(entry));
  });
  observer.observe({ entryTypes: ['gc'] });
  const budget = watchHeap({ bytes, everyMs: 10 });
  await new Promise((resolve) => setTimeout(resolve, ms));
  budget.stop();
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return { collections: budget.collections, kinds };
}

describe('watchHeap: full collections only above the budget', () => {
  it('collects (a major collection) while the heap in use is over the budget, and not again while under twice what is live', async () => {
    const { collections, kinds } = await watchFor(1, 200);
    expect(collections).toBeGreaterThanOrEqual(1);
    // After a collection the threshold is twice the live heap: a process that allocates nothing meanwhile is not
    // collected at every check (20 checks in 200 ms).
    expect(collections).toBeLessThan(5);
    expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MAJOR);
  });

  it('never collects under the budget, and leaves no global gc behind', async () => {
    const { collections } = await watchFor(getHeapStatistics().used_heap_size + 512 * 2 ** 20, 100);
    expect(collections).toBe(0);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
