// Not part of `pnpm bench`: `PeerClient.recordEncounters`' own CPU (this process) for N encounters, with builds of the
// client compared in the same process, rounds alternating, against the embedded server in a process of its own
// (emptied before every call). Prints per build the median, first quartile and minimum CPU in ms over ROUNDS calls
// (wall time and server CPU beside): on a shared machine a change of a few percent shows in the quartile and minimum.
// usage: node bench/support/b2-client-cpu.mjs N ROUNDS BUILD... (BUILD: a path to a client build's index.js, e.g. a
// copy of packages/client/dist from before a change kept under packages/client/node_modules/, and
// packages/client/dist/index.js)
import { generateAgency, loadFhirDefinitions } from '@peer-fhir/testing';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServerProcess } from './server-process.mjs';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
const builds = await Promise.all(process.argv.slice(4).map(async (p) => [p, await import(pathToFileURL(resolve(p)).href)]));
await loadFhirDefinitions();
const agency = generateAgency({ seed: 5, participants: Math.ceil(N / 10), months: Math.max(4, Math.ceil(N / 250)) });
const encounters = agency.encounters.slice(0, N);
const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants };
const scope = { agency: agency.organization.npi, namespace: 'https://bench.example.org/ids' };
const server = await startServerProcess();
const figures = Object.fromEntries(builds.map(([p]) => [p, { cpu: [], wall: [], server: [] }]));
// Round -1 warms every build (200 encounters); the order of the builds turns every round.
for (let round = -1; round < ROUNDS; round++) {
  for (const [p, m] of round % 2 ? builds : [...builds].reverse()) {
    await server.reset();
    const peer = new m.PeerClient(new m.PeerFhirClient({ baseUrl: server.url }), scope);
    const list = round < 0 ? encounters.slice(0, 200) : encounters;
    const s0 = await server.cpuMs();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const summary = await peer.recordEncounters(list, roster);
    const c = process.cpuUsage(c0);
    const wall = performance.now() - t0;
    const serverMs = (await server.cpuMs()) - s0;
    if (summary.created !== list.length) throw new Error(`${p}: ${summary.created} of ${list.length} created`);
    if (round >= 0) {
      figures[p].cpu.push((c.user + c.system) / 1000);
      figures[p].wall.push(wall);
      figures[p].server.push(serverMs);
    }
  }
}
const sorted = (a) => [...a].sort((x, y) => x - y);
const at = (a, q) => sorted(a)[Math.floor((a.length - 1) * q)];
for (const [p, f] of Object.entries(figures)) {
  const ms = (v) => Math.round(v);
  console.log(`${p}: client CPU median ${ms(at(f.cpu, 0.5))} ms, q1 ${ms(at(f.cpu, 0.25))}, min ${ms(at(f.cpu, 0))} | wall median ${ms(at(f.wall, 0.5))} ms | server CPU median ${ms(at(f.server, 0.5))} ms | rounds ${f.cpu.map(ms).join(' ')}`);
}
await server.close();
