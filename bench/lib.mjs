// Shared helpers for the benchmark scripts: argument flags, timing, peak RSS, and the JSON line a
// script prints for bench/run.mjs. Scripts run on the BUILT packages (`pnpm run build` first).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const QUICK = process.argv.includes('--quick');
/** The built CLI (`peer-fhir`), run as a child process by B5, B7, B8 and B9. */
export const CLI_BIN = `${ROOT}packages/cli/dist/bin.js`;
const TIME_V = existsSync('/usr/bin/time');
/** How `runCli` reads a CLI process's peak RSS (saved with the results that report it). */
export const CLI_RSS_METHOD = TIME_V ? '/usr/bin/time -v' : '/proc VmHWM polled every 50 ms';

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

/**
 * When a built file a benchmark needs is missing, reports its row as pending (`what` names what to build) and exits;
 * bench/run.mjs shows every row of that benchmark as PENDING.
 */
export function exitUnlessBuilt(id, files, { what, target }) {
  if (files.every((f) => existsSync(f))) return;
  report({ id, what: `${what}: ${files.filter((f) => !existsSync(f)).map((f) => f.slice(ROOT.length)).join(', ')} missing (pnpm run build)`, pending: true, target });
  process.exit(0);
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

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat (undefined elsewhere or once it is gone). */
export function cpuS(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `node ...args` and resolves `{ child, match }` once its stdout matches `pattern` (`match` is the first
 * capture group): a server printing its URL, a client printing its result line. Rejects if it exits first.
 */
export function spawnUntil(args, pattern) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const started = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve({ child, match: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${args[1] ?? args[0]} exited ${code} before printing ${pattern}`)));
  });
  // Started ahead of use: a failure is thrown where it is awaited, not as an unhandled rejection.
  started.catch(() => {});
  return started;
}

/**
 * Starts `peer-fhir serve --port 0 --data <dataDir> --json` (the built CLI, its own process: its VmHWM is its own);
 * resolves `{ child, url }` once it listens. `nodeArgs` go before the script (`--cpu-prof`).
 * Start-up (~1–3 s of CPU, mostly indexing the FHIR definitions) is never inside a measurement: scripts may start
 * the servers they need at once, before measuring.
 */
export async function startServe(dataDir, { nodeArgs = [] } = {}) {
  const { child, match } = await spawnUntil([...nodeArgs, CLI_BIN, 'serve', '--port', '0', '--data', dataDir, '--json'], /"url"\s*:\s*"([^"]+)"/);
  return { child, url: match };
}

/**
 * Stops servers started with `startServe`/`spawnUntil` (promises, settled or not) and waits until each has exited,
 * so no server is still shutting down (or unreaped, its CPU time uncounted) when the next benchmark starts.
 */
export async function stopServers(started, signal = 'SIGTERM') {
  await Promise.all(
    started.map(async (p) => {
      const child = await p.then(({ child: c }) => c, () => undefined);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }),
  );
}

/**
 * Runs the built CLI with `args` and `--json` (under `/usr/bin/time -v` when present, else its VmHWM polled);
 * resolves `{ code, ms, peak, json }`: wall ms, peak RSS in bytes and the parsed `--json` output. Rejects when the
 * output is not JSON, with `code` set to the CLI's stable error code (`error [client.timeout]: ...`) and `ms`.
 */
export function runCli(args, { nodeArgs = [] } = {}) {
  const full = [...nodeArgs, CLI_BIN, ...args, '--json'];
  const [cmd, argv] = TIME_V ? ['/usr/bin/time', ['-v', process.execPath, ...full]] : [process.execPath, full];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let polled = 0;
    const poll = setInterval(() => (polled = Math.max(polled, vmHwm(child.pid) ?? 0)), 50);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const ms = performance.now() - t0;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      try {
        resolve({ code, ms, peak: m ? Number(m[1]) * 1024 : polled, json: JSON.parse(stdout) });
      } catch {
        const failed = new Error(`${args[0]} exit ${code}: ${stderr.slice(-1500)}`);
        failed.code = /error \[([a-z0-9.-]+)\]/.exec(stderr)?.[1] ?? `exit ${code}`;
        failed.ms = ms;
        reject(failed);
      }
    });
  });
}

export const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
