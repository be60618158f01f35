// `pnpm bench`: runs each benchmark in its own Node process on the BUILT packages, prints a table of figures and
// ratios against the baseline measured in the same run, and saves everything to bench/results/latest.json.
//   node bench/run.mjs [--quick] [--scale] [B1 B3 ...]   (--scale: B7 at 100k and 1M resources instead of 10k and 100k,
//   B9 at 100k and 1M rows; saved to bench/results/latest-scale.json)
// The benchmarks and the rows each reports are declared in bench/rows.mjs; a declared row a script did not report is
// printed as an ERROR. Printed and saved with the results: wall time, CPU time of each benchmark's processes, and the
// load average at the start and the end (on a shared machine, wall times measure the neighbours too).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, QUICK, ROOT } from './lib.mjs';
import { BENCHMARKS, declaredRows } from './rows.mjs';

const only = process.argv.slice(2).filter((a) => /^B\d$/.test(a));
const ids = only.length ? only : Object.keys(BENCHMARKS);

for (const pkg of ['core', 'client', 'billing', 'x12', 'server', 'testing']) {
  if (!existsSync(`${ROOT}packages/${pkg}/dist/index.js`)) {
    log(`packages/${pkg}/dist is missing: run \`pnpm run build\` first.`);
    process.exit(1);
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();
/** CPU seconds of this process's finished (waited-for) children and their waited-for descendants; undefined off Linux. */
function childrenCpuS() {
  try {
    // /proc/self/stat: fields 16 and 17 (cutime, cstime), counted after the `(comm)` field, in clock ticks.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  } catch {
    return undefined;
  }
}
const load = () => loadavg().map((x) => +x.toFixed(2));

/** A benchmark still running after this many seconds is stopped and its rows are errors (quick: 10 min; full: none). */
const TIMEOUT_S = Number(process.env.PEER_FHIR_BENCH_TIMEOUT_S) || (QUICK ? 600 : 0);
/** Each benchmark runs in its own process group, so it can be stopped with every server and CLI run it started. */
let running;
const stopGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has already exited
  }
};
/**
 * Each benchmark's temporary folder, given to it as TMPDIR: removed when it ends, even when it was stopped (a timeout,
 * Ctrl-C) before its own clean-up ran, so no SQLite database or CSV is left in /tmp. `PEER_FHIR_B9_KEEP` keeps it.
 */
let runningTmp;
const removeTmp = () => {
  if (runningTmp && !process.env.PEER_FHIR_B9_KEEP) rmSync(runningTmp, { recursive: true, force: true });
  runningTmp = undefined;
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (running) stopGroup(running, 'SIGKILL');
    removeTmp();
    process.exit(130);
  });
}

function runOne(id) {
  const script = fileURLToPath(new URL(BENCHMARKS[id].script, import.meta.url));
  return new Promise((resolve) => {
    const t0 = performance.now();
    const cpu0 = childrenCpuS();
    const args = [script, ...(QUICK ? ['--quick'] : []), ...(process.argv.includes('--scale') ? ['--scale'] : [])];
    runningTmp = mkdtempSync(join(tmpdir(), `peer-fhir-bench-${id}-`));
    const env = { ...process.env, TMPDIR: runningTmp };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env });
    running = child.pid;
    let timedOut = false;
    const timer = TIMEOUT_S ? setTimeout(() => ((timedOut = true), stopGroup(child.pid, 'SIGKILL')), TIMEOUT_S * 1000) : undefined;
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      // Anything the benchmark left running (a server it did not wait for) must not overlap the next one.
      stopGroup(child.pid, 'SIGKILL');
      running = undefined;
      removeTmp();
      // A script may report several rows (B2 at 0 ms and at 20 ms RTT, against several peers): one line each.
      const lines = out.split('\n').filter((l) => l.startsWith('BENCH_RESULT '));
      const run = { wallS: (performance.now() - t0) / 1000, cpuS: cpu0 === undefined ? undefined : childrenCpuS() - cpu0 };
      const reported = lines.map((l) => JSON.parse(l.slice('BENCH_RESULT '.length)));
      if (timedOut || !lines.length) reported.push({ id, error: timedOut ? `timed out after ${TIMEOUT_S} s` : `exit ${code}`, output: out.slice(-2000) });
      resolve(declaredRows(id, reported).map((r) => ({ ...r, ...run })));
    });
  });
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGB: +(totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  mode: QUICK ? 'quick' : 'full',
  date: new Date().toISOString(),
};
const loadAverage = { start: load() };
log(`pnpm bench (${machine.mode}) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${loadAverage.start.join(' ')}`);

const results = [];
const t0 = performance.now();
const cpuStart = childrenCpuS();
for (const id of ids) {
  log(`\n== ${id}`);
  const rows = await runOne(id);
  log(`== ${id}: ${rows[0].wallS.toFixed(1)} s wall${rows[0].cpuS === undefined ? '' : `, ${rows[0].cpuS.toFixed(1)} s CPU`}`);
  results.push(...rows);
}
const totalS = (performance.now() - t0) / 1000;
const cpuS = cpuStart === undefined ? undefined : childrenCpuS() - cpuStart;
loadAverage.end = load();

const fmtMs = (ms) => (ms === undefined ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
// A row may measure something other than time (B6-browser: bytes); it says so with `unit`.
const fmt = (v, unit) => (unit === 'bytes' && v !== undefined ? `${(v / 1024).toFixed(1)} KiB` : fmtMs(v));
// A row a script cannot measure in this mode says why with `skipped` (printed, status SKIPPED).
const rows = results.map((r) => [
  r.id,
  r.error ? `ERROR ${r.error}` : r.skipped ? `${r.what ?? ''} (skipped: ${r.skipped})` : r.what,
  fmt(r.oursMs, r.unit),
  r.baselineName ? `${fmt(r.baselineMs, r.unit)} (${r.baselineName})` : '—',
  r.ratio === undefined ? '—' : `${r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2)}x`,
  r.target ?? '—',
  r.pending ? 'PENDING' : r.error ? 'ERROR' : r.skipped ? 'SKIPPED' : r.met ? 'met' : 'MISSED',
]);
const head = ['id', 'what', 'ours', 'baseline (same run)', 'ours/baseline', 'target', 'status'];
const widths = head.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => String(r[i]).length))));
const line = (cells) => `| ${cells.map((c, i) => String(c).slice(0, widths[i]).padEnd(widths[i])).join(' | ')} |`;
console.log(`\npeer-fhir benchmarks (${machine.mode}) — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node}`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
for (const r of results) if (r.extra) console.log(`${r.id}: ${JSON.stringify(r.extra)}`);
console.log(
  `total ${totalS.toFixed(0)} s wall${cpuS === undefined ? '' : `, ${cpuS.toFixed(0)} s CPU (every benchmark process)`}; load average (1, 5, 15 min) ${loadAverage.start.join(' ')} at the start, ${loadAverage.end.join(' ')} at the end`,
);

mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/${QUICK ? 'latest-quick' : process.argv.includes('--scale') ? 'latest-scale' : 'latest'}.json`, import.meta.url), `${JSON.stringify({ machine, benchmarks: ids, totalS, cpuS, loadAverage, results }, null, 2)}\n`);
if (results.some((r) => r.error)) process.exitCode = 1;
