// The import rate as the embedded server's SQLite store grows (issue 18): a B9-style agency (bench/b9-year.mjs's
// generator and scaling) imported by `peer-fhir import` into ONE `peer-fhir serve --data` in successive chunks of
// rows; each chunk's rows/s, the store's size on disk after it, and the server's peak RSS are printed, so a rate that
// falls with the store shows as a trend, not as two points. The server's CPU per row (from /proc) is printed too: on a
// shared machine it is the steadier figure. Not part of `pnpm bench` (the B9 rows report the import).
//   node bench/support/import-growth.mjs [totalRows=50000] [chunkRows=10000]
//   PEER_FHIR_GROWTH_KEEP=DIR keeps the data folder in DIR (for `dbstat`); PEER_FHIR_GROWTH_PROF=DIR profiles the server and each importer.
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { cpuS, log, runCli, startServe, stopServers, vmHwm } from '../lib.mjs';
import { importConfig, importCsvWriter } from './import-csv.mjs';

const TOTAL = Number(process.argv[2]) || 50_000;
const CHUNK = Number(process.argv[3]) || 10_000;
const dir = process.env.PEER_FHIR_GROWTH_KEEP ?? mkdtempSync(join(tmpdir(), 'peer-fhir-growth-'));
const data = join(dir, 'data');
const prof = process.env.PEER_FHIR_GROWTH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PEER_FHIR_GROWTH_PROF] : [];

const { rowsOf, header, csvLine } = await importCsvWriter(dir);
const { generateAgency } = await import('@peer-fhir/testing');
const agency = generateAgency({ seed: 11, months: 12, participants: Math.max(10, Math.round((TOTAL / 1000) * 14.5)), state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3.2 });
const byId = new Map(agency.participants.map((p) => [p.id, p]));
const cfg = join(dir, 'config.json');
writeFileSync(cfg, JSON.stringify(importConfig(agency)));

/** The agency's rows in CSV chunks of about CHUNK rows, cut at encounter boundaries. */
async function* chunks() {
  let lines = [];
  let rows = 0;
  let total = 0;
  for (const e of agency.encounters) {
    const own = { ...agency, participants: e.attendees.map((a) => byId.get(a.participantId)) };
    const rs = rowsOf(own, e).map(csvLine);
    if (total + rs.length > TOTAL) break;
    lines.push(...rs);
    rows += rs.length;
    total += rs.length;
    if (rows >= CHUNK) {
      yield { lines, rows };
      lines = [];
      rows = 0;
    }
  }
  if (rows > 0) yield { lines, rows };
}

const sizeMB = () => readdirSync(data).reduce((s, f) => s + statSync(join(data, f)).size, 0) / 2 ** 20;
const server = startServe(data, { nodeArgs: prof });
const { child, url } = await server;
try {
  let done = 0;
  let n = 0;
  for await (const { lines, rows } of chunks()) {
    const csv = join(dir, `chunk-${n++}.csv`);
    const out = createWriteStream(csv);
    out.end(`${header}\n${lines.join('\n')}\n`);
    await once(out, 'finish');
    const cpu0 = cpuS(child.pid);
    const r = await runCli(['import', csv, '--fhir-url', url, '--config', cfg], { nodeArgs: prof });
    if (r.json.rejected !== 0) throw new Error(`chunk ${n}: ${r.json.rejected} rejected`);
    done += rows;
    const serverMsPerRow = ((cpuS(child.pid) - cpu0) * 1000) / rows;
    log(`growth: rows ${done - rows}..${done}: ${(rows / (r.ms / 1000)).toFixed(0)} rows/s (${(r.ms / 1000).toFixed(1)} s), server CPU ${serverMsPerRow.toFixed(2)} ms/row, store ${sizeMB().toFixed(0)} MB, server peak ${((vmHwm(child.pid) ?? 0) / 2 ** 20).toFixed(0)} MB, load ${loadavg()[0].toFixed(1)}`);
  }
} finally {
  await stopServers([server]);
  if (!process.env.PEER_FHIR_GROWTH_KEEP) rmSync(dir, { recursive: true, force: true });
}
