// B5: `peer-fhir import` of a large CSV (rows/s, and peak RSS of the importer at a small vs a large file).
// The importer runs as a child process (the built CLI, packages/cli/dist/bin.js) against the embedded FHIR server
// started as ANOTHER child process (`peer-fhir serve --port 0`), so the importer's memory is measured apart from the
// server's (the embedded server holds every stored resource in memory, so its RSS grows with the data by design).
// A fresh server per size. Peak RSS: `/usr/bin/time -v` ("Maximum resident set size") for the importer when present,
// else polling /proc/<pid>/status VmHWM; VmHWM of the server read just before it is stopped.
// Sizes: full mode 10k vs 100k rows, as the spec asks (100k takes ~40 s since the embedded server's create path and
// `serve`'s snapshot saving were fixed); quick mode 1k vs 3k. Rows: the CLI's own synthetic row builder (a TX agency), repeated with unique encounter ids.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, QUICK, report, requireFrom, ROOT, vmHwm } from './lib.mjs';

const bin = `${ROOT}packages/cli/dist/bin.js`;
const SMALL = QUICK ? 1_000 : 10_000;
// PEER_FHIR_B5_ROWS overrides the large size for a one-off run.
const LARGE = Number(process.env.PEER_FHIR_B5_ROWS) || (QUICK ? 3_000 : 100_000);
const TIME_V = existsSync('/usr/bin/time');

if (!existsSync(bin)) {
  report({ id: 'B5', what: 'peer-fhir import: packages/cli/dist/bin.js missing (pnpm --filter @peer-fhir/cli run build)', pending: true, target: 'rows/s; importer peak RSS flat' });
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-b5-'));

// The CLI's synthetic row builder is TypeScript with type-only imports: strip the types with esbuild.
const esbuild = requireFrom('node_modules/tsup')('esbuild');
const rowsSrc = readFileSync(`${ROOT}packages/cli/src/internal/synthetic-rows.ts`, 'utf8');
writeFileSync(join(dir, 'synthetic-rows.mjs'), esbuild.transformSync(rowsSrc, { loader: 'ts', format: 'esm' }).code);
const { rowsOf } = await import(pathToFileURL(join(dir, 'synthetic-rows.mjs')).href);
const { generateAgency } = await import('@peer-fhir/testing');
const { IMPORT_COLUMNS } = await import(pathToFileURL(`${ROOT}packages/cli/dist/index.js`).href);

const agency = generateAgency({ seed: 11, months: 12, participants: 140, state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3.2 });
const base = [];
for (const e of agency.encounters) base.push(...rowsOf(agency, e));
log(`B5: ${base.length} base rows from ${agency.encounters.length} encounters`);

const cell = (v) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
/** A CSV of exactly `n` rows or slightly fewer (cut at an encounter boundary): the base rows repeated, ids suffixed. */
function writeCsv(n, path) {
  const lines = [IMPORT_COLUMNS.join(',')];
  let count = 0;
  for (let rep = 0; count < n; rep++) {
    for (let i = 0; i < base.length; ) {
      let j = i + 1;
      while (j < base.length && base[j].encounter_id === base[i].encounter_id) j++;
      if (count + (j - i) > n) return finish();
      for (let k = i; k < j; k++) {
        const r = { ...base[k], encounter_id: rep ? `${base[k].encounter_id}-r${rep}` : base[k].encounter_id };
        lines.push(IMPORT_COLUMNS.map((c) => cell(String(r[c] ?? ''))).join(','));
      }
      count += j - i;
      i = j;
    }
  }
  return finish();
  function finish() {
    writeFileSync(path, `${lines.join('\n')}\n`);
    return count;
  }
}

const config = {
  organization: { ...agency.organization, address: { ...agency.organization.address, postalCode: `${agency.organization.address.postalCode.slice(0, 5)}1234` } },
  payer: { id: agency.payers[0].payerId, name: agency.payers[0].payerName },
  pack: 'tx-medicaid-peer-specialist-2019',
  charges: { H0038: 18.5 },
};
const cfg = join(dir, 'peer-fhir.config.json');
writeFileSync(cfg, JSON.stringify(config));

async function startServer(data) {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', data, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"url"\s*:\s*"([^"]+)"/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  return { child, url };
}

function runImport(csv, url) {
  const args = [bin, 'import', csv, '--fhir-url', url, '--config', cfg, '--json'];
  const [cmd, argv] = TIME_V ? ['/usr/bin/time', ['-v', process.execPath, ...args]] : [process.execPath, args];
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
      const peak = m ? Number(m[1]) * 1024 : polled;
      let summary;
      try {
        summary = JSON.parse(stdout);
      } catch {
        return reject(new Error(`import exit ${code}: ${stderr.slice(-1500)}`));
      }
      resolve({ code, ms, peak, summary });
    });
  });
}

async function measure(n) {
  const csv = join(dir, `rows-${n}.csv`);
  const rows = writeCsv(n, csv);
  const { child: server, url } = await startServer(join(dir, `data-${n}`));
  try {
    const r = await runImport(csv, url);
    const serverPeak = vmHwm(server.pid);
    const s = r.summary;
    if (s.rowsRead !== rows || s.rejected !== 0 || s.created !== rows) throw new Error(`import of ${rows} rows: ${JSON.stringify({ ...s, rejectedRows: s.rejectedRows?.length })}`);
    const out = { rows, ms: r.ms, rowsPerS: rows / (r.ms / 1000), importerPeakMB: r.peak / 2 ** 20, serverPeakMB: serverPeak / 2 ** 20 };
    log(`B5: ${rows} rows in ${(r.ms / 1000).toFixed(1)} s (${out.rowsPerS.toFixed(0)} rows/s); importer peak ${out.importerPeakMB.toFixed(0)} MB, server peak ${out.serverPeakMB.toFixed(0)} MB`);
    return out;
  } finally {
    server.kill('SIGKILL');
  }
}

try {
  const small = await measure(SMALL);
  const large = await measure(LARGE);
  const ratio = large.importerPeakMB / small.importerPeakMB;
  const mb = (x) => `${x.toFixed(0)} MB`;
  report({
    id: 'B5',
    what: `peer-fhir import ${large.rows.toLocaleString('en-US')} rows: ${large.rowsPerS.toFixed(0)} rows/s, importer peak RSS ${mb(large.importerPeakMB)} (server ${mb(large.serverPeakMB)}); ${small.rows.toLocaleString('en-US')} rows: ${small.rowsPerS.toFixed(0)} rows/s, importer ${mb(small.importerPeakMB)} (server ${mb(small.serverPeakMB)})`,
    oursMs: large.ms,
    baselineName: `same import at ${small.rows.toLocaleString('en-US')} rows`,
    baselineMs: small.ms,
    ratio,
    target: `importer peak RSS ${large.rows / 1000}k/${small.rows / 1000}k ≤ 1.5x (flat)`,
    met: ratio <= 1.5,
    extra: { small, large, rssMethod: TIME_V ? '/usr/bin/time -v (importer), /proc VmHWM (server)' : '/proc VmHWM polled', ratioIs: 'importer peak RSS large/small' },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
