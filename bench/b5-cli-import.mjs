// B5: `peer-fhir import` of a large CSV (rows/s, and peak RSS of the importer at a small vs a large file).
// The importer runs as a child process (the built CLI, packages/cli/dist/bin.js) against the embedded FHIR server
// started as ANOTHER child process (`peer-fhir serve --port 0`), so the importer's memory is measured apart from the
// server's (the embedded server holds every stored resource in memory, so its RSS grows with the data by design).
// A fresh server per size, both started before the first import (start-up is not measured). Peak RSS:
// `/usr/bin/time -v` ("Maximum resident set size") for the importer when present, else polling /proc/<pid>/status
// VmHWM; VmHWM of the server read just before it is stopped.
// Sizes: full mode 10k vs 100k rows, as the spec asks (100k takes ~40 s since the embedded server's create path and
// `serve`'s snapshot saving were fixed); quick mode 500 vs 1.5k. Rows: the CLI's own synthetic row builder (a TX
// agency), repeated with unique encounter ids.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, CLI_RSS_METHOD, exitUnlessBuilt, log, QUICK, report, runCli, startServe, stopServers, vmHwm } from './lib.mjs';
import { importConfig, importCsvWriter } from './support/import-csv.mjs';

const SMALL = QUICK ? 500 : 10_000;
// PEER_FHIR_B5_ROWS overrides the large size for a one-off run.
const LARGE = Number(process.env.PEER_FHIR_B5_ROWS) || (QUICK ? 1_500 : 100_000);

exitUnlessBuilt('B5', [CLI_BIN], { what: 'peer-fhir import', target: 'rows/s; importer peak RSS flat' });

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-b5-'));
// A fresh server per size, both started now (start-up is not measured), while the rows are generated.
const servers = new Map([SMALL, LARGE].map((n) => [n, startServe(join(dir, `data-${n}`))]));

const { generateAgency } = await import('@peer-fhir/testing');
const { rowsOf, header, csvLine } = await importCsvWriter(dir);
// ~72 rows per participant a year: quick mode needs fewer participants before the base repeats.
const agency = generateAgency({ seed: 11, months: 12, participants: QUICK ? 30 : 140, state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3.2 });
const base = [];
for (const e of agency.encounters) base.push(...rowsOf(agency, e));
log(`B5: ${base.length} base rows from ${agency.encounters.length} encounters`);

/** A CSV of exactly `n` rows or slightly fewer (cut at an encounter boundary): the base rows repeated, ids suffixed. */
function writeCsv(n, path) {
  const lines = [header];
  let count = 0;
  for (let rep = 0; count < n; rep++) {
    for (let i = 0; i < base.length; ) {
      let j = i + 1;
      while (j < base.length && base[j].encounter_id === base[i].encounter_id) j++;
      if (count + (j - i) > n) return finish();
      for (let k = i; k < j; k++) lines.push(csvLine({ ...base[k], encounter_id: rep ? `${base[k].encounter_id}-r${rep}` : base[k].encounter_id }));
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

const cfg = join(dir, 'peer-fhir.config.json');
writeFileSync(cfg, JSON.stringify(importConfig(agency)));

async function measure(n) {
  const csv = join(dir, `rows-${n}.csv`);
  const rows = writeCsv(n, csv);
  const { child: server, url } = await servers.get(n);
  try {
    const r = await runCli(['import', csv, '--fhir-url', url, '--config', cfg]);
    const serverPeak = vmHwm(server.pid);
    const s = r.json;
    if (s.rowsRead !== rows || s.rejected !== 0 || s.created !== rows) throw new Error(`import of ${rows} rows: ${JSON.stringify({ ...s, rejectedRows: s.rejectedRows?.length })}`);
    const out = { rows, ms: r.ms, rowsPerS: rows / (r.ms / 1000), importerPeakMB: r.peak / 2 ** 20, serverPeakMB: serverPeak / 2 ** 20 };
    log(`B5: ${rows} rows in ${(r.ms / 1000).toFixed(1)} s (${out.rowsPerS.toFixed(0)} rows/s); importer peak ${out.importerPeakMB.toFixed(0)} MB, server peak ${out.serverPeakMB.toFixed(0)} MB`);
    return out;
  } finally {
    await stopServers([servers.get(n)], 'SIGKILL');
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
    extra: { small, large, rssMethod: `${CLI_RSS_METHOD} (importer), /proc VmHWM (server)`, ratioIs: 'importer peak RSS large/small' },
  });
} finally {
  await stopServers([...servers.values()], 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
