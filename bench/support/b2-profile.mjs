// Not part of `pnpm bench`: runs one B2 path (ours | medplum) on N encounters at 0 ms, for `node --cpu-prof`.
// usage: node bench/support/b2-profile.mjs ours|medplum [N] [out.cpuprofile] (the profile covers the timed round only)
import { MedplumClient } from '@medplum/core';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { toFhir } from '@peer-fhir/core';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { generateAgency, loadFhirDefinitions, startFhirServer } from '@peer-fhir/testing';
import { startServerProcess } from './server-process.mjs';

const which = process.argv[2] ?? 'ours';
const N = Number(process.argv[3] ?? 1000);
await loadFhirDefinitions();
const agency = generateAgency({ seed: 5, participants: Math.ceil(N / 10), months: Math.max(4, Math.ceil(N / 250)) });
const encounters = agency.encounters.slice(0, N);
const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants };
const scope = { agency: agency.organization.npi, namespace: 'https://bench.example.org/ids' };

async function ours(base, list) {
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: base }), scope);
  const s = await peer.recordEncounters(list, roster);
  if (s.created !== list.length) throw new Error('not all created');
}
async function medplum(base, list) {
  const url = new URL(base);
  const client = new MedplumClient({ baseUrl: `${url.origin}/`, fhirUrlPath: url.pathname.replace(/^\//, ''), cacheTime: 0, fetch: (u, init) => fetch(u, init) });
  const rb = toFhir(roster, scope);
  const answer = await client.executeBatch(rb);
  const located = new Map();
  rb.entry.forEach((e, i) => {
    const m = /^identifier=([^|&]*)\|(.*)$/.exec(e.request.ifNoneExist ?? '');
    const loc = answer.entry?.[i]?.response?.location;
    if (m && loc) located.set(`${e.request.url}|${decodeURIComponent(m[1])}|${decodeURIComponent(m[2])}`, loc.split('/_history')[0]);
  });
  const existing = (k) => located.get(`${k.resourceType}|${k.system}|${k.value}`);
  for (let i = 0; i < list.length; i += 100) await client.executeBatch(toFhir({ encounters: list.slice(i, i + 100) }, { ...scope, existing }));
}
const run = which === 'ours' ? ours : medplum;
for (let round = 0; round < 2; round++) {
  // PEER_FHIR_B2_SERVER=process: the server in a child process (profile it with PEER_FHIR_B2_SERVER_PROF=DIR).
  const server = process.env.PEER_FHIR_B2_SERVER === 'process' ? await startServerProcess() : await startFhirServer();
  const session = round === 1 && process.argv[4] ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run(server.url, round === 0 ? encounters.slice(0, 200) : encounters);
  const c = process.cpuUsage(c0);
  process.stderr.write(`${which} round ${round}: ${Math.round(performance.now() - t0)} ms wall, ${Math.round((c.user + c.system) / 1000)} ms CPU\n`);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.argv[4], JSON.stringify(profile));
    session.disconnect();
  }
  await server.close();
}
