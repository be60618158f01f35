// B7: the embedded server under a bulk write, on its SQLite store (`peer-fhir serve --data`) beside the in-memory
// store (JavaScript maps) in the same run. Resources (not rows) are written through HTTP as batch bundles of 100
// conditional creates (what a bulk writer sends: a Patient and its Encounters), two bundles in flight. Measured: writes/s
// and the server's peak RSS (/proc VmHWM) at a small and a large size; the target is a flat peak RSS (large/small
// ≤ 1.5x) on SQLite. After the writes, the searches billing and reports send are timed on each store.
//   node bench/b7-server.mjs [--quick] [--scale]
//   default 10k and 100k resources; --scale 100k and 1M (not in the default run: it takes long); --quick 500 and 2k.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, exitUnlessBuilt, log, QUICK, report, ROOT, spawnUntil, startServe, stopServers, vmHwm } from './lib.mjs';

const SCALE = process.argv.includes('--scale');
const [SMALL, LARGE] = QUICK ? [500, 2_000] : SCALE ? [100_000, 1_000_000] : [10_000, 100_000];
const BUNDLE = 100;
const IN_FLIGHT = 2;
const serverDist = `${ROOT}packages/server/dist/index.js`;
exitUnlessBuilt('B7', [CLI_BIN, serverDist], { what: 'embedded server bulk write', target: 'server peak RSS flat' });
const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-b7-'));

/** `peer-fhir serve` on a data folder (SQLite), or a bare server process on the in-memory store; resolves { child, url }. */
async function startServer(store, n) {
  if (store === 'sqlite') return startServe(join(dir, `data-${n}`));
  const code = `const { startFhirServer, createFhirRepository } = await import(${JSON.stringify(serverDist)});
    const s = await startFhirServer({ repository: createFhirRepository() });
    console.log(JSON.stringify({ url: s.url }));`;
  const { child, match } = await spawnUntil(['--input-type=module', '-e', code], /"url"\s*:\s*"([^"]+)"/);
  return { child, url: match };
}

/** Bundle `b`: one Patient and 99 Encounters referring to it, each a conditional create on its identifier. */
function bundle(b) {
  const patient = `urn:uuid:00000000-0000-4000-8000-${String(b).padStart(12, '0')}`;
  const entry = [
    {
      fullUrl: patient,
      resource: { resourceType: 'Patient', identifier: [{ system: 'urn:bench:mrn', value: `p${b}` }], name: [{ family: `Family${b}`, given: ['Bench'] }], birthDate: '1980-01-01' },
      request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:bench:mrn|p${b}` },
    },
  ];
  for (let i = 1; i < BUNDLE; i++) {
    entry.push({
      resource: {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        identifier: [{ system: 'urn:bench:encounter', value: `e${b}-${i}` }],
        subject: { reference: patient },
        period: { start: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`, end: `2025-0${1 + (i % 9)}-1${i % 10}T11:00:00Z` },
        type: [{ coding: [{ system: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', code: 'H0038' }] }],
      },
      request: { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=urn:bench:encounter|e${b}-${i}` },
    });
  }
  return { resourceType: 'Bundle', type: 'batch', entry };
}

/** A search slower than this is reported as such (the in-memory store's date search read every resource). */
const SEARCH_TIMEOUT_MS = 30_000;

/**
 * One timing (ms, the second of two runs) of each search billing and reports send, on the written data: a month of
 * encounters by date, sorted (what `bill` pages through); the newest encounters; one patient's encounters; one
 * encounter by identifier; a page of the last minute's writes.
 */
async function searches(url) {
  const get = async (q) => {
    const res = await fetch(`${url}/${q}`, { signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS) });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${q}: ${res.status}`);
    return body;
  };
  const patient = (await get('Patient?identifier=urn:bench:mrn%7Cp7')).entry?.[0]?.resource?.id;
  const since = new Date(Date.now() - 60_000).toISOString();
  const queries = {
    monthSorted: 'Encounter?date=ge2025-03-01&date=lt2025-04-01&_sort=date&_count=50',
    newest: 'Encounter?_sort=-date&_count=50',
    patient: `Encounter?subject=Patient/${patient}&_count=500`,
    identifier: 'Encounter?identifier=urn:bench:encounter%7Ce7-3',
    lastUpdated: `Encounter?_lastUpdated=gt${encodeURIComponent(since)}&_count=10`,
  };
  const out = {};
  for (const [name, q] of Object.entries(queries)) {
    try {
      await get(q);
      const t = performance.now();
      await get(q);
      out[name] = Math.round(performance.now() - t);
    } catch (e) {
      if (e?.name !== 'TimeoutError') throw e;
      out[name] = `> ${SEARCH_TIMEOUT_MS}`;
    }
  }
  return out;
}

async function measure(store, n, server) {
  const { child, url } = await server;
  try {
    const bundles = Math.ceil(n / BUNDLE);
    let next = 0;
    let written = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < bundles) {
        const b = next++;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' }, body: JSON.stringify(bundle(b)) });
        const body = await res.json();
        if (res.status !== 200) throw new Error(`${store}: bundle ${b} answered ${res.status}`);
        written += body.entry.filter((e) => e.response.status === '201').length;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const ms = performance.now() - t0;
    const peak = vmHwm(child.pid) ?? 0;
    const searchMs = await searches(url);
    const out = { store, resources: written, ms, writesPerS: written / (ms / 1000), serverPeakMB: peak / 2 ** 20, searchMs };
    log(`B7: ${store} ${written} resources in ${(ms / 1000).toFixed(1)} s (${out.writesPerS.toFixed(0)}/s), server peak ${out.serverPeakMB.toFixed(0)} MB; searches (ms): ${JSON.stringify(searchMs)}`);
    return out;
  } finally {
    await stopServers([server]);
  }
}

// Every server of the run, started at once before the first write (start-up is not measured; each is fresh and idle
// until its turn). Quick mode leaves out the in-memory store at the small size: no ratio uses it.
const RUNS = [['sqlite', SMALL], ['sqlite', LARGE], ...(QUICK ? [] : [['memory', SMALL]]), ['memory', LARGE]];
const servers = RUNS.map(([store, n]) => startServer(store, n));
const SKIPPED = QUICK ? 'not run in quick mode' : undefined;
if (SKIPPED) log(`B7: in-memory store at ${SMALL}: ${SKIPPED} (no ratio uses it)`);

try {
  const m = {};
  for (const [i, [store, n]] of RUNS.entries()) m[`${store}${n === SMALL ? 'Small' : 'Large'}`] = await measure(store, n, servers[i]);
  const { sqliteSmall, sqliteLarge, memorySmall, memoryLarge } = m;
  const ratio = sqliteLarge.serverPeakMB / sqliteSmall.serverPeakMB;
  const k = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
  const mb = (x) => `${x.toFixed(0)} MB`;
  report({
    id: 'B7',
    what: `serve (SQLite) ${k(LARGE)} resources: ${sqliteLarge.writesPerS.toFixed(0)}/s, peak RSS ${mb(sqliteLarge.serverPeakMB)} (${k(SMALL)}: ${mb(sqliteSmall.serverPeakMB)}); in-memory store ${memoryLarge.writesPerS.toFixed(0)}/s, ${mb(memoryLarge.serverPeakMB)} (${k(SMALL)}: ${memorySmall ? mb(memorySmall.serverPeakMB) : SKIPPED})`,
    oursMs: sqliteLarge.ms,
    baselineName: `in-memory store, ${k(LARGE)}`,
    baselineMs: memoryLarge.ms,
    ratio,
    target: `SQLite server peak RSS ${k(LARGE)}/${k(SMALL)} ≤ 1.5x (flat)`,
    met: ratio <= 1.5,
    extra: { sqliteSmall, sqliteLarge, memorySmall: memorySmall ?? SKIPPED, memoryLarge, ratioIs: 'SQLite server peak RSS large/small', bundle: BUNDLE, inFlight: IN_FLIGHT },
  });
} finally {
  await stopServers(servers);
  rmSync(dir, { recursive: true, force: true });
}
