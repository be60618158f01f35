import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The embedded server's peak memory (issue 18, B9-server). V8 (Node 20) lets a fresh process's old generation grow to
// its initial limit, ~250 MB here, before its first full collection; only that collection sizes later limits from what
// is live (a few times it). A server that keeps ~35 MB live but promotes a few hundred MB of request garbage (pages
// of 1,000 resources, transactions of 100 claims) therefore peaked at ~390 MB RSS whenever it served more than a small
// agency's month, and at ~220 MB otherwise: its peak followed the work done, not what it holds. One full collection
// once the server is up makes V8 size the limit from the live heap from then on. It collects the whole process, so
// the server runs it only when asked (`collectAfterOpen`; `peer-fhir serve`, a process that is the server, asks).
//
// What this relies on (Node 20, V8 11.3; checked by packages/server/test/heap.test.ts): `--expose-gc` set at run time
// installs `gc` in a context created afterwards (`vm.runInNewContext`), and calling it runs a full (major)
// collection of the whole isolate. When that fails (`gc` not installed), nothing is collected and nothing breaks.

let collected = false;

/** V8's `gc()`: the global one when the process was started with `--expose-gc`, else one from a new context. */
function gcFunction(): (() => void) | undefined {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as () => void;
  setFlagsFromString('--expose-gc');
  try {
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/**
 * One full garbage collection, the first time it is called in a process (later calls do nothing): afterwards V8
 * sizes its heap from what is live rather than from its start-up default. Returns whether it collected.
 */
export function collectOnce(): boolean {
  if (collected) return false;
  collected = true;
  const gc = gcFunction();
  gc?.();
  return gc !== undefined;
}

// A long run's heap kept near a budget (issue 18, B9-bill; `peer-fhir bill` keeps one). V8 (Node 20) sets the old
// generation's next limit at up to four times what its last full collection left live. The biller holds ~30-40 MB
// once its code is warm (about 25 MB of it compiled code and modules), so V8 let its heap reach ~140 MB of request
// garbage between collections at 100k rows, while a 10k-row month ends before the first such cycle (~50 MB): the
// peak followed how long the run was, not what it held. A check every `everyMs` runs one full collection when the heap
// in use is above the budget and above twice what the last one left live: a run that stays under the budget never
// collects, a run whose live heap grows keeps collecting at twice it (no thrashing), and the peak follows what is live.
// It relies on the same `gc` as `collectOnce` (checked by test/heap-budget.test.ts).

/**
 * How {@link watchHeap} watches the heap.
 * @category Memory
 */
export interface HeapBudgetOptions {
  /** Heap in use (bytes) under which nothing is ever collected. */
  bytes: number;
  /** How often the heap is looked at (ms); a check is one `getHeapStatistics` call. */
  everyMs?: number;
}

/**
 * The heap in use is let grow to this many times what the last collection left live (V8 lets it grow ~4 times). 1.5
 * bounded the 100k-row month's peak lower (169-184 MB) but ran ~27 collections and cost 8-33% more CPU; 2 gave
 * 193-203 MB at a cost within the run-to-run noise (docs/benchmarks.md, B9 round 7).
 */
const LIVE_FACTOR = 2;

/**
 * A running heap budget ({@link watchHeap}).
 * @category Memory
 */
export interface HeapBudget {
  /** How many full collections it has run. */
  readonly collections: number;
  /** Stops watching. */
  stop(): void;
}

/**
 * Keeps a long run's heap near a budget: checks the heap in use every `everyMs` and runs one full garbage collection
 * when it is above `bytes` and above twice what the last collection left live, so the process's peak memory follows
 * what it holds rather than how long it has run. Never collects while under `bytes`; does nothing (and breaks
 * nothing) when V8 offers no `gc`. The timer does not keep the process alive.
 * @param options - The budget in bytes, and how often to look (default 100 ms).
 * @returns The running budget: its count of collections, and `stop()`.
 * @example
 * ```ts
 * const budget = watchHeap({ bytes: 64 * 2 ** 20 });
 * try {
 *   await billTheYear();
 * } finally {
 *   budget.stop();
 * }
 * ```
 * @category Memory
 */
export function watchHeap(options: HeapBudgetOptions): HeapBudget {
  const gc = gcFunction();
  let threshold = options.bytes;
  let collections = 0;
  const timer = setInterval(() => {
    if (gc === undefined || getHeapStatistics().used_heap_size <= threshold) return;
    gc();
    collections++;
    threshold = Math.max(options.bytes, getHeapStatistics().used_heap_size * LIVE_FACTOR);
  }, options.everyMs ?? 100);
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}
