// Shared helpers for the benchmark scripts: argument flags, timing, peak RSS, and the JSON line a
// script prints for bench/run.mjs. Scripts run on the BUILT packages (`pnpm run build` first).
import { createRequire } from 'node:module';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const QUICK = process.argv.includes('--quick');

/** require() relative to a workspace package, for its (unhoisted) dependencies: fhir-kit-client, esbuild. */
export function requireFrom(pkgDir) {
  return createRequire(realpathSync(`${ROOT}${pkgDir}/package.json`));
}

/** Import an ESM-only dependency of a workspace package. */
export async function importFrom(pkgDir, name) {
  const dir = realpathSync(`${ROOT}${pkgDir}/node_modules/${name}`);
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  const dot = pkg.exports?.['.'] ?? pkg.exports;
  const entry = typeof dot === 'string' ? dot : (dot?.import?.default ?? dot?.import ?? dot?.default ?? pkg.module ?? pkg.main);
  return import(pathToFileURL(`${dir}/${entry}`).href);
}

/**
 * Time `fn` (async allowed) with tinybench: `iterations` measured runs after one warm-up run; returns the median
 * (p50) and the mean in ms. Each run does the whole workload, so medians are of whole-workload times.
 */
export async function time(name, fn, { iterations = 3, warmup = 1 } = {}) {
  const bench = new Bench({ iterations, time: 0, warmupIterations: warmup, warmupTime: 0, warmup: warmup > 0, throws: true });
  bench.add(name, fn);
  await bench.run();
  const task = bench.tasks[0];
  const r = task.result;
  if (!r || !r.latency) throw new Error(`${name}: no result (${r?.state ?? 'unknown'}) ${r?.error ?? ''}`);
  return { medianMs: r.latency.p50, meanMs: r.latency.mean, runs: r.latency.samplesCount ?? iterations };
}

/** Samples process RSS every 20 ms; `stop()` returns the peak in bytes. */
export function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** Print the result line bench/run.mjs reads (the last line starting with `BENCH_RESULT `). */
export function report(result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** A process's peak RSS in bytes (/proc/PID/status VmHWM), or undefined when it cannot be read (gone, not Linux). */
export function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
