// Where an import's time goes (issue 18): a B9-style agency (bench/b9-year.mjs's generator and scaling) of N rows is
// imported by `peer-fhir import` into a fresh `peer-fhir serve --data`, through a counting HTTP proxy. Printed: the
// wall time and rows/s; the CPU of the importer and of the server per row (from /proc: the steadier figures on a
// shared machine); the requests by method and resource type with their count per row and mean server time; how many
// transactions were in flight over time (the share of the wall with 0, 1, 2… in flight: 0 means the server idles
// while the importer maps). Not part of `pnpm bench`.
//   node bench/support/import-profile.mjs [rows=20000]
//   PEER_FHIR_PROFILE_CPU=DIR writes --cpu-prof profiles of the importer and the server to DIR;
//   PEER_FHIR_PROFILE_URLS=1 prints each GET's URL (synthetic data only);
//   PEER_FHIR_PROFILE_ARGS='--bundle-size 200' adds options to the import;
//   PEER_FHIR_PROFILE_BIN=FILE runs another build of the CLI as the importer (a before/after on the same server build).
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request as httpRequest, createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, cpuS, log, startServe, stopServers, vmHwm } from '../lib.mjs';
import { importConfig, importCsvWriter } from './import-csv.mjs';

const ROWS = Number(process.argv[2]) || 20_000;
const PROF = process.env.PEER_FHIR_PROFILE_CPU ? ['--cpu-prof', '--cpu-prof-dir', process.env.PEER_FHIR_PROFILE_CPU] : [];
// PEER_FHIR_PROFILE_NODE='--trace-gc' passes Node options to the importer only (its stdout is then not only JSON).
const IMPORTER_NODE = (process.env.PEER_FHIR_PROFILE_NODE ?? '').split(' ').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-profile-'));

/** Writes the agency's CSV of about `n` rows (cut at an encounter boundary), as b9-year.mjs does. */
async function writeCsv(n, path) {
  const { rowsOf, header, csvLine } = await importCsvWriter(dir);
  const { generateAgency } = await import('@peer-fhir/testing');
  const agency = generateAgency({ seed: 11, months: 12, participants: Math.max(10, Math.round((n / 1000) * 14.5)), state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3.2 });
  const byId = new Map(agency.participants.map((p) => [p.id, p]));
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let rows = 0;
  for (const e of agency.encounters) {
    if (rows + e.attendees.length > n) break;
    const lines = rowsOf({ ...agency, participants: e.attendees.map((a) => byId.get(a.participantId)) }, e).map(csvLine);
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
    rows += lines.length;
  }
  out.end();
  await once(out, 'finish');
  return { agency, rows };
}

/** A proxy in front of `target` that counts requests by kind and tracks how many are in flight over time. */
async function countingProxy(target) {
  const up = new URL(target);
  const kinds = new Map();
  const inFlightMs = new Map();
  let inFlight = 0;
  let since = performance.now();
  const gaps = [];
  const shift = (d) => {
    const now = performance.now();
    if (inFlight === 0) gaps.push([since, now - since]);
    inFlightMs.set(inFlight, (inFlightMs.get(inFlight) ?? 0) + (now - since));
    since = now;
    inFlight += d;
  };
  const kindOf = (method, url, body) => {
    const path = url.replace(/^\/fhir\/?/, '').split('?')[0];
    if (method === 'POST' && path === '') {
      const entries = (body.match(/"request"\s*:/g) ?? []).length;
      return `POST transaction (${entries <= 10 ? 'small' : 'large'})`;
    }
    return `${method} ${path.split('/')[0] || '/'}${url.includes('?') ? '?search' : ''}`;
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const kind = kindOf(req.method, req.url, body.toString('utf8'));
      if (process.env.PEER_FHIR_PROFILE_URLS && req.method === 'GET') log(`GET ${decodeURIComponent(req.url)}`);
      const t0 = performance.now();
      shift(1);
      const trace = (what) => process.env.PEER_FHIR_PROFILE_TRACE && log(`trace ${(performance.now() / 1000).toFixed(3)} ${what} ${kind} in flight ${inFlight}`);
      trace('start');
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          shift(-1);
          trace('end  ');
          const k = kinds.get(kind) ?? { n: 0, ms: 0, entries: 0 };
          k.n++;
          k.ms += performance.now() - t0;
          kinds.set(kind, k);
        });
      });
      fwd.on('error', () => res.destroy());
      fwd.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}${up.pathname}`, kinds, inFlightMs, gaps, close: () => server.close() };
}

/** Runs the built CLI's import under the profile flags; resolves its wall ms, CPU seconds and --json summary. */
function runImport(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...PROF, ...IMPORTER_NODE, process.env.PEER_FHIR_PROFILE_BIN ?? CLI_BIN, 'import', ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let cpu = 0;
    let peak = 0;
    const poll = setInterval(() => {
      cpu = cpuS(child.pid) ?? cpu;
      peak = Math.max(peak, vmHwm(child.pid) ?? 0);
    }, 100);
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(poll);
      const json = out.slice(out.indexOf('\n{') + 1);
      for (const line of out.split('\n')) if (line.startsWith('[') && line.includes('Mark-Compact')) log(`gc: ${line.replace(/^\[[^\]]*\]\s*/, '')}`);
      resolve({ ms: performance.now() - t0, cpuS: cpu, peakMB: peak / 2 ** 20, json: JSON.parse(out.startsWith('{') ? out : json) });
    });
  });
}

const csv = join(dir, 'rows.csv');
const { agency, rows } = await writeCsv(ROWS, csv);
const cfg = join(dir, 'config.json');
writeFileSync(cfg, JSON.stringify(importConfig(agency)));
const serve = startServe(join(dir, 'data'), { nodeArgs: PROF });
const { child, url } = await serve;
const proxy = await countingProxy(url);
try {
  const load0 = loadavg()[0];
  const server0 = cpuS(child.pid);
  const extra = (process.env.PEER_FHIR_PROFILE_ARGS ?? '').split(' ').filter(Boolean);
  const r = await runImport([csv, '--fhir-url', proxy.url, '--config', cfg, ...extra]);
  const serverS = cpuS(child.pid) - server0;
  if (r.json.rejected !== 0 || r.json.rowsRead !== rows) throw new Error(`import: ${r.json.rejected} rejected of ${r.json.rowsRead}`);
  const s = r.ms / 1000;
  log(`profile: ${rows} rows in ${s.toFixed(1)} s = ${(rows / s).toFixed(0)} rows/s; load ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
  log(`profile: importer CPU ${r.cpuS.toFixed(1)} s (${((r.cpuS * 1000) / rows).toFixed(2)} ms/row, incl. ~1 s start-up), peak RSS ${r.peakMB.toFixed(0)} MB; server CPU ${serverS.toFixed(1)} s (${((serverS * 1000) / rows).toFixed(2)} ms/row)`);
  for (const [kind, k] of [...proxy.kinds].sort((a, b) => b[1].n - a[1].n)) {
    log(`profile:   ${kind.padEnd(32)} ${String(k.n).padStart(6)} (${(k.n / rows).toFixed(3)} per row), mean ${(k.ms / k.n).toFixed(1)} ms`);
  }
  const total = [...proxy.inFlightMs.values()].reduce((a, b) => a + b, 0);
  const t0 = proxy.gaps[1]?.[0] ?? 0;
  const idle = proxy.gaps.slice(1);
  log(`profile: idle gaps after the first request: ${idle.length}, ${(idle.reduce((a, g) => a + g[1], 0) / 1000).toFixed(1)} s; longest: ${[...idle].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([at, ms]) => `${ms.toFixed(0)} ms at ${((at - t0) / 1000).toFixed(1)} s`).join(', ')}`);
  log(`profile: in flight (share of the wall): ${[...proxy.inFlightMs].sort((a, b) => a[0] - b[0]).map(([n, ms]) => `${n}: ${((100 * ms) / total).toFixed(0)}%`).join(', ')}`);
} finally {
  proxy.close();
  await stopServers([serve]);
  rmSync(dir, { recursive: true, force: true });
}
