// Not part of `pnpm bench`: the embedded server's CPU per encounter written, in this process, without HTTP.
// Records the requests `PeerClient.recordEncounters` (default options) sends for N encounters, then replays them
// through `handleFhirRequest` on a fresh SQLite (`:memory:`) repository, ROUNDS times, and prints the server's CPU per
// encounter and per resource (median round). Run it under `node --cpu-prof` for where that CPU goes.
// With PEER_FHIR_B2_COMPARE=<another build's dist/index.js> (e.g. a copy of main's packages/server/dist inside
// packages/server/node_modules, so that it resolves the same dependencies), the rounds alternate between that build
// ('other') and this one ('this'), in one process on the same requests, and each build's median is printed.
// usage: node bench/support/b2-server-cpu.mjs [N=1000] [ROUNDS=5]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import * as thisServer from '@peer-fhir/server';
import { generateAgency, loadFhirDefinitions } from '@peer-fhir/testing';

const { createFhirRepository, handleFhirRequest } = thisServer;
const COMPARE = process.env.PEER_FHIR_B2_COMPARE;
const builds = [{ name: 'this', server: thisServer }];
if (COMPARE) builds.unshift({ name: 'other', server: await import(pathToFileURL(resolve(COMPARE)).href) });

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
const BASE = 'http://127.0.0.1/fhir';
await loadFhirDefinitions();
const agency = generateAgency({ seed: 5, participants: Math.ceil(N / 10), months: Math.max(4, Math.ceil(N / 250)) });
const encounters = agency.encounters.slice(0, N);
const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants };
const scope = { agency: agency.organization.npi, namespace: 'https://bench.example.org/ids' };

/** A `fetch` that serves `repository` in process, recording each request when `log` is given. */
function inProcessFetch(repository, log) {
  return async (input, init = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const request = { method: init.method ?? 'GET', url: String(input), headers, body: init.body === undefined ? undefined : String(init.body) };
    log?.push(request);
    const res = await handleFhirRequest(request, { baseUrl: BASE, repository, validate: false });
    return new Response(res.body, { status: res.status, headers: res.headers });
  };
}

const requests = [];
{
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: BASE, fetch: inProcessFetch(createFhirRepository({ sqlite: ':memory:' }), requests) }), scope);
  const summary = await peer.recordEncounters(encounters, roster);
  if (summary.created !== N) throw new Error(`recorded ${summary.created} of ${N}`);
}
const writes = requests.filter((r) => r.method === 'POST');
const resources = writes.reduce((n, r) => n + JSON.parse(r.body).entry.length, 0);
const bytes = writes.reduce((n, r) => n + r.body.length, 0);
console.log(`${N} encounters: ${writes.length} transactions, ${resources} resources, ${(bytes / 1e6).toFixed(2)} MB of bodies (${requests.length - writes.length} other requests)`);

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
// Garbage collection time (wall, main thread) per round, from the runtime's own GC entries.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
const rounds = [];
for (let round = 0; round < ROUNDS * builds.length; round++) {
  const build = builds[round % builds.length];
  const repository = build.server.createFhirRepository({ sqlite: ':memory:' });
  const c0 = cpu();
  const t0 = performance.now();
  const g0 = gcMs;
  for (const request of requests) {
    const res = await build.server.handleFhirRequest(request, { baseUrl: BASE, repository, validate: false });
    if (res.status >= 300) throw new Error(`replay answered ${res.status}`);
  }
  const cpuMs = cpu() - c0;
  const ms = performance.now() - t0;
  // GC entries are delivered asynchronously: let them arrive before reading the total.
  await new Promise((resolve) => setTimeout(resolve, 10));
  rounds.push({ build: build.name, cpuMs, ms, gcMs: gcMs - g0 });
  console.log(`round ${round} (${build.name}): ${cpuMs.toFixed(0)} ms CPU, ${ms.toFixed(0)} ms wall, ${rounds.at(-1).gcMs.toFixed(0)} ms GC`);
}
// The floor the server cannot go under for these bodies: parse each request and stringify what it stores.
const f0 = cpu();
for (const r of writes) JSON.stringify(JSON.parse(r.body));
const floorMs = cpu() - f0;
for (const { name } of builds) {
  const sorted = rounds.filter((r) => r.build === name).sort((a, b) => a.cpuMs - b.cpuMs);
  const median = sorted[Math.floor(sorted.length / 2)];
  const best = sorted[0];
  console.log(
    `${builds.length > 1 ? `${name}: ` : ''}server CPU per encounter: median ${(median.cpuMs / N).toFixed(3)} ms (${((1000 * median.cpuMs) / resources).toFixed(1)} µs / resource), ` +
      `best ${(best.cpuMs / N).toFixed(3)} ms; GC ${(median.gcMs / N).toFixed(3)} ms; ` +
      `JSON.parse + stringify of the bodies ${(floorMs / N).toFixed(3)} ms / encounter`,
  );
}
