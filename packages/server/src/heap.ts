import { setFlagsFromString } from 'node:v8';
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
