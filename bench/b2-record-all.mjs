// B2: writing encounters to the embedded FHIR server with PeerClient.recordEncounters (default options: 100
// encounters per transaction of conditional creates, 4 in flight), against the ways a caller could do it without us,
// in the same run and on the same data:
//   - fhir-kit-client creating the same resources one POST at a time (the floor everything must beat by 10x);
//   - fhir-kit-client posting the same toFhir transaction bundles (100 encounters each), sequentially and 2 in flight;
//   - @medplum/core's MedplumClient.executeBatch of the same bundles;
// each directly (0 ms) and through a loopback proxy that adds 20 ms of round-trip latency (a FHIR server in the
// cloud), where round trips, not CPU, decide. The server runs in a process of its own (one for the run, emptied
// before every path); every path writes the roster (agency, specialists, participants) and maps with toFhir inside
// its timing: each does the whole job.
import { MedplumClient } from '@medplum/core';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { toFhir } from '@peer-fhir/core';
import { generateAgency, loadFhirDefinitions, startFhirServer } from '@peer-fhir/testing';
import { importFrom, log, QUICK, report } from './lib.mjs';
import { startLatencyProxy } from './support/latency-proxy.mjs';
import { startServerProcess } from './support/server-process.mjs';

/** Encounters written by each path; `PEER_FHIR_B2_ENCOUNTERS` overrides the size (e.g. 1000 on a loaded machine). */
const N = Number(process.env.PEER_FHIR_B2_ENCOUNTERS) || (QUICK ? 200 : 10_000);
/** Encounters written one POST per resource (a slice: ~7.5 POSTs per encounter), compared per encounter. */
const ONE_BY_ONE = { 0: QUICK ? 20 : 300, 20: QUICK ? 3 : 40 };
const PER_BUNDLE = 100;
const NS = 'https://bench.example.org/ids';
const { Client } = await importFrom('packages/client', 'fhir-kit-client');

await loadFhirDefinitions();
const agency = generateAgency({ seed: 5, participants: Math.ceil(N / 10), months: Math.max(4, Math.ceil(N / 250)) });
const encounters = agency.encounters.slice(0, N);
if (encounters.length < N) throw new Error(`generator gave ${encounters.length} encounters`);
const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants };
const scope = { agency: agency.organization.npi, namespace: NS };

/** Process CPU time (all threads, GC included) since `c0`, in ms. */
function cpuSince(c0) {
  const { user, system } = process.cpuUsage(c0);
  return (user + system) / 1000;
}

/**
 * Where the server runs: `process` (default) in a child process of its own, as a FHIR server is in production, so the
 * client's and the server's CPU are measured apart and can run side by side; `inline` in this process (the figures of
 * earlier sessions: client and server then share one thread, and every path is CPU-bound on their sum).
 */
const SERVER = process.env.PEER_FHIR_B2_SERVER === 'inline' ? 'inline' : 'process';

async function startServer(options) {
  if (SERVER === 'process') return startServerProcess(options);
  const server = await startFhirServer(options);
  return { url: server.url, cpuMs: async () => 0, reset: async () => server.reset(), close: () => server.close() };
}

/**
 * Runs `write(base, server)` on the emptied server; returns wall ms, this process's CPU ms (`cpuMs`: the client's,
 * the proxy's, and the server's too when it runs inline) and the server process's (`serverCpuMs`).
 */
async function measure({ base, server }, write) {
  await server.reset();
  const s0 = await server.cpuMs();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const detail = await write(base, server);
  const result = { ms: performance.now() - t0, cpuMs: cpuSince(c0), serverCpuMs: (await server.cpuMs()) - s0, ...detail };
  log(`  ${Math.round(result.ms)} ms wall, CPU ${Math.round(result.cpuMs)} ms here + ${Math.round(result.serverCpuMs)} ms in the server process`);
  return result;
}

const ours = (list) => async (base) => {
  let transactions = 0;
  const counted = (url, init) => {
    if (init?.method === 'POST') transactions++;
    return fetch(url, init);
  };
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: base, fetch: counted }), scope);
  const summary = await peer.recordEncounters(list, roster);
  if (summary.rejected || summary.created !== list.length) throw new Error(`ours: ${summary.rejected} rejected, ${summary.created} created`);
  return { transactions };
};

const keyOf = (type, criteria) => {
  const m = /^identifier=([^|&]*)\|(.*)$/.exec(criteria ?? '');
  return m ? `${type}|${decodeURIComponent(m[1])}|${decodeURIComponent(m[2])}` : undefined;
};

/**
 * What a caller with only a generic FHIR client does with our mapper: the roster in one transaction, then toFhir
 * bundles of 100 encounters that point at the roster by id (`existing`), `inFlight` at a time through `post`.
 */
async function bundlesThrough(list, post, inFlight) {
  const rosterBundle = toFhir(roster, scope);
  const answer = await post(rosterBundle);
  const located = new Map();
  rosterBundle.entry.forEach((e, i) => {
    const key = keyOf(e.request.url, e.request.ifNoneExist);
    const loc = answer.entry?.[i]?.response?.location;
    if (key && loc) located.set(key, loc.split('/_history')[0]);
  });
  const existing = (k) => located.get(`${k.resourceType}|${k.system}|${k.value}`);
  let next = 0;
  let transactions = 1;
  const worker = async () => {
    while (next < list.length) {
      const chunk = list.slice(next, (next += PER_BUNDLE));
      const response = await post(toFhir({ encounters: chunk }, { ...scope, existing }));
      transactions++;
      const bad = (response.entry ?? []).filter((e) => !/^20[01]/.test(e.response?.status ?? ''));
      if (bad.length) throw new Error(`${bad.length} entries not written`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { transactions };
}

const fhirKit = (list, inFlight) => (base) => {
  const client = new Client({ baseUrl: base });
  return bundlesThrough(list, (body) => client.transaction({ body }), inFlight);
};

const medplum = (list) => (base) => {
  const url = new URL(base);
  const client = new MedplumClient({ baseUrl: `${url.origin}/`, fhirUrlPath: url.pathname.replace(/^\//, ''), cacheTime: 0, fetch: (u, init) => fetch(u, init) });
  return bundlesThrough(list, (bundle) => client.executeBatch(bundle), 1);
};

/** The same resources (roster + a slice of encounters), one plain POST each, urn:uuid references rewritten. */
const oneByOne = (count) => async (base, server) => {
  const bundle = toFhir({ ...roster, encounters: encounters.slice(0, count) }, scope);
  const client = new Client({ baseUrl: base });
  const located = new Map();
  const rewrite = (v) => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v === null || typeof v !== 'object') return v;
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'reference' && located.has(x) ? located.get(x) : rewrite(x);
    return out;
  };
  // Referenced resources first (roster, then Group/Encounter parents before children, notes and diagnoses last).
  // Conditions/Encounters reference each other (diagnosis <-> encounter): the cycle is left as urn refs, as a naive
  // one-by-one writer would; it does not change the cost of a POST.
  const order = { Organization: 0, Practitioner: 1, PractitionerRole: 2, Patient: 3, Coverage: 4, Group: 5, Encounter: 6, Condition: 7, DocumentReference: 8 };
  const entries = [...bundle.entry].sort((a, b) => (order[a.resource.resourceType] ?? 9) - (order[b.resource.resourceType] ?? 9) || (a.resource.partOf ? 1 : 0) - (b.resource.partOf ? 1 : 0));
  const post = async (e) => {
    const created = await client.create({ resourceType: e.resource.resourceType, body: rewrite(e.resource) });
    located.set(e.fullUrl, `${created.resourceType}/${created.id}`);
  };
  // The roster is written before the clock starts: over a slice of a few encounters it would be most of the time,
  // where over N encounters it is a small share. Only the encounters' own POSTs are timed (replacing ms/cpuMs).
  const isRoster = (e) => order[e.resource.resourceType] <= order.Coverage;
  for (const e of entries.filter(isRoster)) await post(e);
  const s0 = await server.cpuMs();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const rest = entries.filter((e) => !isRoster(e));
  for (const e of rest) await post(e);
  return { posts: rest.length, ms: performance.now() - t0, cpuMs: cpuSince(c0), serverCpuMs: (await server.cpuMs()) - s0 };
};

const per = (r, n) => r.ms / n;
/** CPU ms per encounter: this process's and the server process's. */
const cpuPer = (r, n) => ({ client: r.cpuMs / n, server: r.serverCpuMs / n });
/** Rounds of the transaction paths at each latency (`PEER_FHIR_B2_ROUNDS`); each path's median round is reported. */
const ROUNDS = Number(process.env.PEER_FHIR_B2_ROUNDS) || 1;
const median = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)];
const results = {};
// One server for the whole run (a server process loads the FHIR definitions, ~1-3 s of CPU), warm like a server in
// production and emptied before every path (`measure`); at 20 ms it is reached through the proxy, whose Host it accepts.
log(`B2: server ${SERVER === 'process' ? 'in its own process' : 'in this process'}`);
const proxy = await startLatencyProxy({ rttMs: 20 });
const server = await startServer({ allowedHosts: [proxy.host] });
const via = { 0: { base: server.url, server }, 20: { base: proxy.via(server.url), server } };
const warm = encounters.slice(0, QUICK ? 100 : 200);
const paths = {
  ours: (list) => ours(list),
  fhirKitSequential: (list) => fhirKit(list, 1),
  fhirKitTwoInFlight: (list) => fhirKit(list, 2),
  medplumExecuteBatch: (list) => medplum(list),
};
try {
  // Warm-up, untimed: every path once on a slice, so no path pays for the JIT (the client's or the server's) alone.
  log('B2: warm-up');
  for (const write of [ours(warm), fhirKit(warm, 1), medplum(warm), oneByOne(5)]) await measure(via[0], write);
  for (const [latency, rttMs] of [0, 20].entries()) results[rttMs] = await atLatency(latency, rttMs);
} finally {
  await proxy.close();
  await server.close();
}

/** Every path `ROUNDS` times at `rttMs`, one POST per resource in the rounds too (on its slice), so every ratio compares runs under the same load. */
async function atLatency(latency, rttMs) {
  const all = { ...paths, oneByOne: () => oneByOne(ONE_BY_ONE[rttMs]) };
  const runs = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // The order turns every round (and differs between latencies), so no path is always the first.
    const names = Object.keys(all);
    const turn = (round + 2 * latency) % names.length;
    for (const name of [...names.slice(turn), ...names.slice(0, turn)]) {
      log(`B2 @${rttMs} ms, round ${round + 1}/${ROUNDS}: ${name}, ${name === 'oneByOne' ? ONE_BY_ONE[rttMs] : N} encounters`);
      runs[name].push(await measure(via[rttMs], all[name](encounters)));
    }
  }
  const [o, fk1, fk2, mp, one] = Object.keys(all).map((k) => median(runs[k]));
  return {
    server: SERVER,
    rounds: ROUNDS,
    ours: per(o, N),
    oursCpu: cpuPer(o, N),
    oursTransactions: o.transactions,
    fhirKitSequential: per(fk1, N),
    fhirKitTwoInFlight: per(fk2, N),
    medplumExecuteBatch: per(mp, N),
    peersCpu: { fhirKitSequential: cpuPer(fk1, N), fhirKitTwoInFlight: cpuPer(fk2, N), medplumExecuteBatch: cpuPer(mp, N) },
    peerTransactions: fk1.transactions,
    oneByOne: per(one, ONE_BY_ONE[rttMs]),
    oneByOneCpu: cpuPer(one, ONE_BY_ONE[rttMs]),
    oneByOnePosts: one.posts,
  };
}

const peers = (r) => ({ 'fhir-kit-client transactions': r.fhirKitSequential, 'fhir-kit-client transactions, 2 in flight': r.fhirKitTwoInFlight, 'MedplumClient.executeBatch': r.medplumExecuteBatch });
const best = (r) => Object.entries(peers(r)).sort((a, b) => a[1] - b[1])[0];
const size = N.toLocaleString('en-US');
for (const rttMs of [0, 20]) {
  const r = results[rttMs];
  report({
    id: rttMs === 0 ? 'B2' : 'B2@20ms',
    what: `write ${size} encounters (+ diagnoses, notes, roster) to the embedded server${rttMs ? ' through a +20 ms RTT proxy' : ''}, recordEncounters defaults; per encounter`,
    oursMs: r.ours,
    baselineMs: r.oneByOne,
    baselineName: `fhir-kit-client, one POST per resource (${ONE_BY_ONE[rttMs]} encounters, ${r.oneByOnePosts} POSTs)`,
    ratio: r.ours / r.oneByOne,
    target: 'ratio <= 0.1 (>= 10x faster)',
    met: r.oneByOne / r.ours >= 10,
    extra: { rttMs, ...r },
  });
  const [name, ms] = best(r);
  report({
    id: rttMs === 0 ? 'B2-peers' : 'B2-peers@20ms',
    what: `the same ${size} encounters, recordEncounters vs the best peer path${rttMs ? ' at +20 ms RTT' : ''} (same toFhir bundles, ${r.peerTransactions} transactions); per encounter`,
    oursMs: r.ours,
    baselineMs: ms,
    baselineName: name,
    ratio: r.ours / ms,
    target: rttMs ? 'ratio <= 0.77 (>= 1.3x faster)' : 'ratio <= 1 (no slower)',
    met: rttMs ? ms / r.ours >= 1.3 : r.ours <= ms,
    extra: { rttMs, peers: peers(r) },
  });
}
