// B9: a year of a large agency, end to end. Encounter rows (the import CSV) are imported through `peer-fhir serve`
// on its SQLite store (`--data`), then billed month by month (`peer-fhir bill`, twelve runs) to 837P. Measured per
// stage: throughput (import rows/s, bill encounters/s over the twelve months) and the peak RSS of the importer, of
// the server and of the biller (the largest of the twelve bill processes), at a small and a large size. Each is its
// own process: the importer and billers under `/usr/bin/time -v` (else /proc VmHWM polled), the server's VmHWM read
// before it stops. Target (issue 18): each peak RSS flat within 1.5x from the small to the large size.
//   node bench/b9-year.mjs [--quick] [--scale]
//   default 10k vs 100k rows; --scale 100k vs 1M rows (≈ 9M resources: long, outside the default run); --quick 500 vs 1.5k rows, January billed.
// The agency is the testing package's synthetic generator scaled to the row count (about 14.5 participants per 1,000
// rows a year, cut at the row count, 3.2 encounters per participant per month, groups included), so caps, groups and holds are realistic.
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, CLI_RSS_METHOD, log, QUICK, report, runCli as runBuiltCli, startServe, stopServers, vmHwm } from './lib.mjs';
import { importConfig, importCsvWriter } from './support/import-csv.mjs';

const SCALE = process.argv.includes('--scale');
// PEER_FHIR_B9_SIZES=small,large overrides the two sizes in any mode (`--scale` at reduced sizes, to check its mechanics).
const SIZES = process.env.PEER_FHIR_B9_SIZES?.split(',').map(Number);
const [SMALL, LARGE] = SIZES?.length === 2 && SIZES.every((n) => n > 0) ? SIZES : QUICK ? [500, 1_500] : SCALE ? [100_000, 1_000_000] : [10_000, 100_000];
// Profiling hooks (not used by `pnpm bench`): PEER_FHIR_B9_PROF=<dir> runs every CLI process under --cpu-prof.
const PROF = process.env.PEER_FHIR_B9_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PEER_FHIR_B9_PROF] : [];
// PEER_FHIR_B9_DATA=<dir> keeps each size's imported store there (`data-<rows>`, with its config and import figures)
// and, when one is there already, bills a fresh copy of it instead of importing again (the import figures printed
// are then the saved run's, and the server's peak is the billing's only). For iterating on billing at 100k rows.
const SAVED = process.env.PEER_FHIR_B9_DATA;
// PEER_FHIR_B9_MONTHS=n bills the first n months; 0 bills none (the import alone: B9-bill is reported skipped).
const MONTHS_ENV = process.env.PEER_FHIR_B9_MONTHS;
const MONTHS = Array.from({ length: MONTHS_ENV ? Number(MONTHS_ENV) : QUICK ? 1 : 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);

if (!existsSync(CLI_BIN)) {
  report({ id: 'B9', what: 'a year of an agency: packages/cli/dist/bin.js missing (pnpm run build)', pending: true, target: 'peak RSS flat' });
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-b9-'));

const { rowsOf, header, csvLine } = await importCsvWriter(dir);
const { generateAgency } = await import('@peer-fhir/testing');

/** Writes the CSV of a synthetic agency sized to about `n` rows (cut at an encounter boundary); returns the agency and counts. */
async function writeCsv(n, path) {
  const agency = generateAgency({ seed: 11, months: 12, participants: Math.max(10, Math.round((n / 1000) * 14.5)), state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3.2 });
  const byId = new Map(agency.participants.map((p) => [p.id, p]));
  const out = createWriteStream(path);
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(`${header}\n`);
  let rows = 0;
  let encounters = 0;
  for (const e of agency.encounters) {
    if (rows + e.attendees.length > n) break;
    // rowsOf looks participants up with find(): hand it the encounter's own attendees (linear at 1M rows).
    const own = { ...agency, participants: e.attendees.map((a) => byId.get(a.participantId)) };
    const lines = rowsOf(own, e).map(csvLine);
    await write(`${lines.join('\n')}\n`);
    rows += lines.length;
    encounters++;
  }
  out.end();
  await once(out, 'finish');
  return { agency, rows, encounters };
}

/** The built CLI with `args` and `--json` (bench/lib.mjs `runCli`), under --cpu-prof when profiling. */
const runCli = (args) => runBuiltCli(args, { nodeArgs: PROF });

const MB = 2 ** 20;

/** Bytes of a folder's files (the SQLite store and its WAL), recursively. */
function bytesOf(path) {
  if (!existsSync(path)) return 0;
  return readdirSync(path, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? bytesOf(join(path, e.name)) : statSync(join(path, e.name)).size), 0);
}

/** Imports `n` rows into a fresh store; the import's figures and the running server. */
async function importSize(n) {
  const csv = join(dir, `rows-${n}.csv`);
  const { agency, rows, encounters } = await writeCsv(n, csv);
  const cfg = join(dir, `config-${n}.json`);
  writeFileSync(cfg, JSON.stringify(importConfig(agency)));
  const data = join(dir, `data-${n}`);
  let serve = await startServe(data, { nodeArgs: PROF });
  const imp = await runCli(['import', csv, '--fhir-url', serve.url, '--config', cfg]);
  if (imp.json.rowsRead !== rows || imp.json.rejected !== 0) throw new Error(`import of ${rows} rows: ${JSON.stringify({ ...imp.json, rejectedRows: imp.json.rejectedRows?.length })}`);
  const imported = { rows, encounters, cfg, imp: { ms: imp.ms, peak: imp.peak }, importServerPeak: 0, storeMB: bytesOf(data) / MB };
  log(`B9 ${n}: store after the import ${imported.storeMB.toFixed(0)} MB (${((imported.storeMB * MB) / rows / 1024).toFixed(1)} KB per row), CSV ${(statSync(csv).size / MB).toFixed(0)} MB`);
  if (SAVED) {
    imported.importServerPeak = vmHwm(serve.child.pid) ?? 0;
    // The store is copied while no server has it open, then served again.
    await stopServers([Promise.resolve(serve)]);
    mkdirSync(SAVED, { recursive: true });
    cpSync(data, join(SAVED, `data-${n}`), { recursive: true });
    cpSync(cfg, join(SAVED, `config-${n}.json`));
    writeFileSync(join(SAVED, `import-${n}.json`), JSON.stringify({ ...imported, cfg: undefined }));
    serve = await startServe(data, { nodeArgs: PROF });
  }
  return { ...imported, serve };
}

/** A fresh copy of the store saved by an earlier run (PEER_FHIR_B9_DATA), served. */
async function reuseSize(n) {
  const data = join(dir, `data-${n}`);
  cpSync(join(SAVED, `data-${n}`), data, { recursive: true });
  const cfg = join(dir, `config-${n}.json`);
  cpSync(join(SAVED, `config-${n}.json`), cfg);
  const saved = JSON.parse(readFileSync(join(SAVED, `import-${n}.json`), 'utf8'));
  log(`B9 ${n}: reusing the store imported before (${SAVED}); import figures are that run's`);
  return { ...saved, cfg, serve: await startServe(data, { nodeArgs: PROF }) };
}

async function measure(n) {
  const { rows, encounters, cfg, imp, serve, importServerPeak, storeMB } = SAVED && existsSync(join(SAVED, `import-${n}.json`)) ? await reuseSize(n) : await importSize(n);
  const { child: server, url } = serve;
  try {
    log(`B9 ${n}: import ${rows} rows (${encounters} encounters) in ${(imp.ms / 1000).toFixed(1)} s, importer peak ${(imp.peak / MB).toFixed(0)} MB`);
    const bills = [];
    let failed;
    for (const period of MONTHS) {
      let b;
      try {
        b = await runCli(['bill', '--period', period, '--out', join(dir, `out-${n}`, `${period}.x12`), '--fhir-url', url, '--config', cfg]);
      } catch (err) {
        // A month that cannot be billed is a measured outcome (reported, later months not tried), not a crash.
        failed = { period, code: err.code ?? 'error', afterS: Math.round((err.ms ?? 0) / 1000) };
        log(`B9 ${n}: bill ${period} FAILED after ${failed.afterS} s: ${failed.code}`);
        break;
      }
      bills.push({ period, ms: b.ms, peakMB: b.peak / MB, encounters: b.json.encounters, claims: b.json.claims, lines: b.json.lines, held: b.json.held });
      log(`B9 ${n}: bill ${period}: ${b.json.encounters} encounters, ${b.json.claims} claims in ${(b.ms / 1000).toFixed(1)} s, peak ${(b.peak / MB).toFixed(0)} MB`);
    }
    const billMs = bills.reduce((s, b) => s + b.ms, 0) || undefined;
    const billed = bills.reduce((s, b) => s + b.encounters, 0);
    return {
      rows,
      encounters,
      importMs: imp.ms,
      importRowsPerS: rows / (imp.ms / 1000),
      importerPeakMB: imp.peak / MB,
      billMs,
      billEncountersPerS: billMs ? billed / (billMs / 1000) : 0,
      billerPeakMB: bills.length ? Math.max(...bills.map((b) => b.peakMB)) : undefined,
      ...(failed ? { billFailed: failed } : {}),
      serverPeakMB: Math.max(vmHwm(server.pid) ?? 0, importServerPeak) / MB,
      // Disk: the store after the import, and after billing (claims stored), for the --scale budget.
      storeMB,
      storeAfterBillMB: bytesOf(join(dir, `data-${n}`)) / MB,
      bills,
    };
  } finally {
    server.kill('SIGTERM');
  }
}

/**
 * The small size's store, CSV and 837P files, removed once it is measured (unless kept): at `--scale` the 100k store
 * (~1.7 GB) would otherwise sit next to the 1M one (~17 GB) within the 20 GB budget.
 */
function dropSize(n) {
  if (process.env.PEER_FHIR_B9_KEEP || SAVED) return;
  for (const f of [`data-${n}`, `rows-${n}.csv`, `out-${n}`]) rmSync(join(dir, f), { recursive: true, force: true });
}

const k = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
const mb = (x) => `${x.toFixed(0)} MB`;
try {
  const small = await measure(SMALL);
  dropSize(SMALL);
  const large = await measure(LARGE);
  const row = (stage, peak, throughput, ms) => {
    if (stage === 'bill' && MONTHS.length === 0) {
      report({ id: 'B9-bill', skipped: 'PEER_FHIR_B9_MONTHS=0: no month billed', target: `bill peak RSS ${k(LARGE)}/${k(SMALL)} ≤ 1.5x (flat)` });
      return;
    }
    const failed = small.billFailed ?? large.billFailed;
    if (stage === 'bill' && failed) {
      const at = small.billFailed ? small : large;
      report({
        id: 'B9-bill',
        what: `a year, ${k(at.rows)} rows: bill ${failed.period} failed after ${failed.afterS} s (${failed.code}); months billed before: ${at.bills.length}`,
        target: `bill peak RSS ${k(LARGE)}/${k(SMALL)} ≤ 1.5x (flat)`,
        met: false,
        extra: { small: small.bills, large: large.bills, failed },
      });
      return;
    }
    const ratio = large[peak] / small[peak];
    report({
      id: `B9-${stage}`,
      what: `a year, ${large.rows.toLocaleString('en-US')} rows: ${stage} ${throughput(large)}, peak RSS ${mb(large[peak])} (${small.rows.toLocaleString('en-US')} rows: ${throughput(small)}, ${mb(small[peak])})`,
      oursMs: large[ms],
      baselineName: `same at ${small.rows.toLocaleString('en-US')} rows`,
      baselineMs: small[ms],
      ratio,
      target: `${stage} peak RSS ${k(LARGE)}/${k(SMALL)} ≤ 1.5x (flat)`,
      met: ratio <= 1.5,
      extra: stage === 'import' ? { small, large, ratioIs: 'peak RSS large/small', rssMethod: `${CLI_RSS_METHOD} (importer, biller), /proc VmHWM (server)` } : undefined,
    });
  };
  row('import', 'importerPeakMB', (r) => `${r.importRowsPerS.toFixed(0)} rows/s`, 'importMs');
  row('server', 'serverPeakMB', (r) => `${r.encounters} encounters stored`, 'importMs');
  row('bill', 'billerPeakMB', (r) => `${r.billEncountersPerS.toFixed(0)} encounters/s over ${MONTHS.length} months`, 'billMs');
} finally {
  if (process.env.PEER_FHIR_B9_KEEP) log(`B9: kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
