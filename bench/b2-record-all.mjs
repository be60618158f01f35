// B2: writing encounters to the embedded FHIR server with PeerClient.recordEncounters (recordAll transactions of
// conditional creates) vs fhir-kit-client creating the same resources one POST at a time. Target: >= 10x faster.
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { toFhir } from '@peer-fhir/core';
import { generateAgency, loadFhirDefinitions, startFhirServer } from '@peer-fhir/testing';
import { importFrom, log, QUICK, report } from './lib.mjs';

// The spec's size: 10k encounters. (It was 1,000 while the embedded server copied its whole store for every
// transaction; its write journal now records only what a transaction touches, so a transaction costs O(its entries)
// whatever the store holds.) The baseline, one POST per resource, runs on a slice and is compared per encounter.
const N = QUICK ? 500 : 10_000;
const BASELINE_N = QUICK ? 150 : 300;
const NS = 'https://bench.example.org/ids';
const { Client } = await importFrom('packages/client', 'fhir-kit-client');

await loadFhirDefinitions();
const agency = generateAgency({ seed: 5, participants: Math.ceil(N / 10), months: 4 });
const encounters = agency.encounters.slice(0, N);
if (encounters.length < N) throw new Error(`generator gave ${encounters.length} encounters`);
const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants };

async function ours() {
  const server = await startFhirServer();
  try {
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi, namespace: NS });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const summary = await peer.recordEncounters(encounters, { ...roster, bundleSize: 100, concurrency: 2 });
    const ms = performance.now() - t0;
    const cpuMs = cpuSince(c0);
    if (summary.failed) throw new Error(`${summary.failed} failed`);
    return { ms, cpuMs, resources: (await server.repository.search('Encounter')).length };
  } finally {
    await server.close();
  }
}

/**
 * Process CPU time (all threads, GC included) since `c0`, in ms. Reported next to wall time because on a shared
 * machine wall time also measures the neighbours; client and server share this one process either way.
 */
function cpuSince(c0) {
  const { user, system } = process.cpuUsage(c0);
  return (user + system) / 1000;
}

/** The same resources (roster + the slice's encounters), one plain POST each, urn:uuid references rewritten. */
async function baseline() {
  const server = await startFhirServer();
  try {
    const bundle = toFhir({ ...roster, encounters: encounters.slice(0, BASELINE_N) }, { namespace: NS });
    const client = new Client({ baseUrl: server.url });
    const located = new Map();
    const rewrite = (v) => {
      if (Array.isArray(v)) return v.map(rewrite);
      if (v === null || typeof v !== 'object') return v;
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = k === 'reference' && located.has(x) ? located.get(x) : rewrite(x);
      return out;
    };
    const rosterTypes = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Patient', 'Coverage']);
    const rosterEntries = bundle.entry.filter((e) => rosterTypes.has(e.resource.resourceType));
    const rest = bundle.entry.filter((e) => !rosterTypes.has(e.resource.resourceType));
    // Referenced resources first (Group/Encounter parents before children, notes and diagnoses last).
    const order = { Group: 0, Encounter: 1, Condition: 2, DocumentReference: 3 };
    const parentsFirst = [...rest].sort((a, b) => (order[a.resource.resourceType] ?? 9) - (order[b.resource.resourceType] ?? 9) || (a.resource.partOf ? 1 : 0) - (b.resource.partOf ? 1 : 0));
    const post = async (e) => {
      const created = await client.create({ resourceType: e.resource.resourceType, body: rewrite(e.resource) });
      located.set(e.fullUrl, `${created.resourceType}/${created.id}`);
    };
    for (const e of rosterEntries) await post(e);
    // Conditions/Encounters reference each other (diagnosis <-> encounter): the cycle is left as urn refs, as a naive
    // one-by-one writer would; it does not change the cost of a POST.
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const e of parentsFirst) await post(e);
    return { ms: performance.now() - t0, cpuMs: cpuSince(c0), posts: parentsFirst.length };
  } finally {
    await server.close();
  }
}

log(`B2: recordEncounters of ${N} encounters`);
const a = await ours();
log(`B2: fhir-kit-client one POST at a time, ${BASELINE_N} encounters`);
const b = await baseline();
const perOurs = a.ms / N;
const perBase = b.ms / BASELINE_N;
report({
  id: 'B2',
  what: `write ${N.toLocaleString('en-US')} encounters (${a.resources.toLocaleString('en-US')} Encounter resources + diagnoses + notes) to the embedded server, recordEncounters; per encounter`,
  oursMs: perOurs,
  baselineMs: perBase,
  baselineName: `fhir-kit-client create, one POST per resource (${BASELINE_N} encounters, ${b.posts} POSTs)`,
  ratio: perOurs / perBase,
  target: 'ratio <= 0.1 (>= 10x faster)',
  met: perBase / perOurs >= 10,
  extra: {
    encounters: N,
    oursTotalMs: a.ms,
    baselineEncounters: BASELINE_N,
    baselineTotalMs: b.ms,
    speedup: perBase / perOurs,
    oursCpuMsPerEncounter: a.cpuMs / N,
    baselineCpuMsPerEncounter: b.cpuMs / BASELINE_N,
    cpuSpeedup: b.cpuMs / BASELINE_N / (a.cpuMs / N),
  },
});
