// B8: FHIR Bulk Data end to end (issue 21, acceptance 1). A `peer-fhir serve --data` holds N resources (a Patient and
// 99 Encounters per bundle, written through HTTP); a client process runs `syncBulkData` from it into a second
// `peer-fhir serve --data` (export -> streamed NDJSON -> batches of PUTs). Checked: every resource arrives once (the
// target holds N + 1 checkpoint). Measured: time and the peak RSS (/proc VmHWM) of the client and of both servers, at
// a small and a large size; the target is a flat client peak RSS (large/small ≤ 1.5x).
//   node bench/b8-bulk.mjs [--quick]     default 10k and 100k resources; --quick 500 and 2k.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, exitUnlessBuilt, log, QUICK, report, ROOT, spawnUntil, startServe, stopServers, vmHwm } from './lib.mjs';

const [SMALL, LARGE] = QUICK ? [500, 2_000] : [10_000, 100_000];
const BUNDLE = 100;
const clientDist = `${ROOT}packages/client/dist/index.js`;
exitUnlessBuilt('B8', [CLI_BIN, clientDist], { what: 'bulk export -> sync', target: 'client peak RSS flat' });
const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-b8-'));

const vmHwmMb = (pid) => (vmHwm(pid) ?? 0) / 2 ** 20;

function bundle(b) {
  const patient = `urn:uuid:00000000-0000-4000-8000-${String(b).padStart(12, '0')}`;
  const entry = [{ fullUrl: patient, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:bench:mrn', value: `p${b}` }] }, request: { method: 'POST', url: 'Patient' } }];
  for (let i = 1; i < BUNDLE; i++) {
    entry.push({ resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: patient }, period: { start: '2025-01-10T10:00:00Z' } }, request: { method: 'POST', url: 'Encounter' } });
  }
  return { resourceType: 'Bundle', type: 'batch', entry };
}

/** Writes bundles `from / BUNDLE` up to `to / BUNDLE` (exclusive): the source grows from one size to the next. */
async function seed(url, from, to) {
  for (let b = from / BUNDLE; b < to / BUNDLE; b++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' }, body: JSON.stringify(bundle(b)) });
    if (res.status !== 200) throw new Error(`seed bundle ${b} answered ${res.status}`);
    await res.arrayBuffer();
  }
}

/** The client side in its own process, so its VmHWM is this size's alone. */
const CLIENT = `
const { PeerFhirClient, syncBulkData } = await import(${JSON.stringify(clientDist)});
const [from, to] = process.argv.slice(-2);
const t0 = performance.now();
const s = await syncBulkData(new PeerFhirClient({ baseUrl: from }), new PeerFhirClient({ baseUrl: to }), { batchSize: 500 });
const status = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
const peak = Number(/VmHWM:\\s+(\\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
console.log('B8CLIENT ' + JSON.stringify({ ms: performance.now() - t0, read: s.read, created: s.created, saved: s.checkpointSaved, clientPeakMB: peak }));
`;

// One source for both sizes (seeded to the small size and synced, then seeded up to the large size and synced
// again: a bulk export reads everything the source holds, as a fresh source of that size would) and a fresh target
// per size; all three started at once before the first seed (start-up is not measured).
const source = startServe(join(dir, 'source'));
const targets = new Map([SMALL, LARGE].map((n) => [n, startServe(join(dir, `target-${n}`))]));
let seeded = 0;

async function measure(n) {
  const [from, to] = [await source, await targets.get(n)];
  try {
    await seed(from.url, seeded, n);
    seeded = n;
    const { child, match } = await spawnUntil(['--input-type=module', '-e', CLIENT, from.url, to.url], /B8CLIENT (\{.*\})\n/);
    const run = JSON.parse(match);
    await new Promise((r) => child.once('exit', r));
    const count = await (await fetch(`${to.url}/Encounter?_summary=count`)).json();
    const once = run.created === n && count.total === n - n / BUNDLE;
    const out = { resources: n, ...run, once, sourcePeakMB: vmHwmMb(from.child.pid), targetPeakMB: vmHwmMb(to.child.pid) };
    log(`B8: ${n} resources in ${(run.ms / 1000).toFixed(1)} s, client peak ${run.clientPeakMB.toFixed(0)} MB, source ${out.sourcePeakMB.toFixed(0)} MB, target ${out.targetPeakMB.toFixed(0)} MB, every resource once: ${once}`);
    return out;
  } finally {
    await stopServers([targets.get(n)]);
  }
}

try {
  const small = await measure(SMALL);
  const large = await measure(LARGE);
  const ratio = large.clientPeakMB / small.clientPeakMB;
  const k = (n) => `${n / 1000}k`;
  report({
    id: 'B8',
    what: `bulk export -> sync ${k(LARGE)} resources: ${(large.ms / 1000).toFixed(1)} s, client peak ${large.clientPeakMB.toFixed(0)} MB (${k(SMALL)}: ${small.clientPeakMB.toFixed(0)} MB), every resource once: ${small.once && large.once}`,
    oursMs: large.ms,
    baselineName: `${k(SMALL)} resources`,
    baselineMs: small.ms,
    ratio,
    target: `client peak RSS ${k(LARGE)}/${k(SMALL)} ≤ 1.5x, every resource once`,
    met: ratio <= 1.5 && small.once && large.once,
    extra: { small, large, ratioIs: 'client peak RSS large/small' },
  });
} finally {
  await stopServers([source, ...targets.values()]);
  rmSync(dir, { recursive: true, force: true });
}
