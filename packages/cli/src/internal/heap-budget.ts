/**
 * A long command's heap kept near a budget (issue 18, B9-bill). V8 (Node 20) sets the old generation's next limit at
 * up to four times what its last full collection left live. The biller holds ~30-40 MB once its code is warm (about
 * 25 MB of it compiled code and modules), (22 MB of it the CLI's modules once loaded), so V8 let its heap reach
 * ~140 MB of request garbage between collections at 100k rows, while a 10k-row month ends before the first such
 * cycle (~50 MB): the peak followed how long the run was,
 * not what it held. A check every {@link HeapBudgetOptions.everyMs} runs one full collection when the heap in use is
 * above the budget and above twice what the last one left live: a run that stays under the budget never collects, a
 * run whose live heap grows keeps collecting at twice it (no thrashing), and the peak follows what is live.
 *
 * What this relies on (Node 20, V8 11.3; checked by packages/cli/test/heap-budget.test.ts), as the server's heap.ts:
 * `--expose-gc` set at run time installs `gc` in a context created afterwards (`vm.runInNewContext`), and calling it
 * runs a full collection of the whole isolate. When `gc` cannot be had, nothing is collected and nothing breaks.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How the heap is watched. */
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

/** V8's `gc()`: the global one when the process was started with `--expose-gc`, else one from a new context. */
function fullCollection(): (() => void) | undefined {
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

/** A running budget: how many collections it ran, and `stop()`. */
export interface HeapBudget {
  readonly collections: number;
  stop(): void;
}

/** Watches the heap until `stop()`: one full collection whenever it is over the budget (see the module's header). */
export function watchHeap(options: HeapBudgetOptions): HeapBudget {
  const gc = fullCollection();
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
