// R1 Faults: PeerClient.recordEncounters (the client's recordAll underneath) writes encounters through a real TCP
// proxy on loopback that injects connection resets (before and after the server saw the request), 429 with
// Retry-After, 503, slow responses (past the client timeout) and truncated responses for 20% of requests (seeded).
// Afterwards every encounter, attendance, diagnosis and note is on the server exactly once, counted by identifier
// through the server's repository. Short mode: 1,000 encounters; `pnpm test:long`: 10,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierSystems, type PeerEncounter } from '@peer-fhir/core';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { generateAgency, loadFhirDefinitions, startFhirServer, type EmbeddedFhirServer, type SyntheticAgency } from '@peer-fhir/testing';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { CLI_BUILT, expectImportedOnce, importFixture, runCli } from './support/cli.js';
import { pick } from './support/mode.js';

const N = pick(1_000, 10_000);
const CLI_ROWS = pick(500, 10_000);
const NS = 'https://reliability.example.org/ids';
const ids = () => identifierSystems({ agency: agency.organization.npi, namespace: NS });

let server: EmbeddedFhirServer;
let proxy: FaultProxy;
let cliProxy: FaultProxy;
let agency: SyntheticAgency;
let encounters: PeerEncounter[];

beforeAll(async () => {
  await loadFhirDefinitions();
  // The proxies listen first: the server accepts only the Host names it is told (DNS-rebinding guard), and the
  // clients name the proxies' addresses. Their target port is filled in once the server is up.
  const target = { host: '127.0.0.1', port: 0 };
  proxy = await startFaultProxy({ target, rate: 0.2, seed: 2026, retryAfterSeconds: 1, slowMs: 3_000 });
  cliProxy = await startFaultProxy({ target, rate: 0.3, seed: 2027, retryAfterSeconds: 1, slowMs: 3_000 });
  server = await startFhirServer({ allowedHosts: [`127.0.0.1:${proxy.port}`, `127.0.0.1:${cliProxy.port}`] });
  target.port = server.port;
  // About 4 encounter records per participant-month: enough months for N.
  agency = generateAgency({ seed: 7, participants: pick(100, 400), months: pick(4, 12) });
  encounters = agency.encounters.slice(0, N);
  if (encounters.length < N) throw new Error(`generator gave ${encounters.length} encounters, need ${N}`);
});

afterAll(async () => {
  await proxy?.close();
  await cliProxy?.close();
  await server?.close();
});

/** Identifier values of a type under a system, as stored. */
async function stored(type: 'Encounter' | 'Condition' | 'DocumentReference', system: string): Promise<string[]> {
  const all = await server.repository.search(type);
  return all.flatMap((r) => ((r as { identifier?: { system?: string; value?: string }[] }).identifier ?? []).filter((i) => i.system === system).map((i) => i.value ?? ''));
}

function expectExactlyOnce(values: readonly string[], expected: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const missing = expected.filter((v) => !counts.has(v));
  expect({ duplicated, missing, stored: values.length }).toEqual({ duplicated: [], missing: [], stored: expected.length });
}

describe('recordAll through a faulty network', () => {
  it(`records ${N.toLocaleString('en-US')} encounters through 20% injected faults, each exactly once`, async () => {
    const client = new PeerFhirClient({ baseUrl: `http://127.0.0.1:${proxy.port}/fhir`, maxRetries: 10, timeoutMs: 15_000 });
    const peer = new PeerClient(client, { agency: agency.organization.npi, namespace: NS });
    const t0 = performance.now();
    const summary = await peer.recordEncounters(encounters, {
      organizations: [agency.organization],
      specialists: agency.specialists,
      participants: agency.participants,
      // 12 encounters (about 100 entries) per transaction: enough requests for every fault kind to occur.
      bundleSize: 12,
      concurrency: 2,
      maxRetries: 10,
    });
    const seconds = (performance.now() - t0) / 1000;
    console.info(`R1: ${N} encounters in ${seconds.toFixed(1)} s through ${proxy.requests} requests; faults injected:`, proxy.injected);

    const reasons = [...new Set(summary.records.flatMap((r) => ('reason' in r && r.reason ? [String(r.reason)] : [])))];
    expect(reasons).toEqual([]);
    expect(summary).toMatchObject({ total: N, failed: 0 });
    const injected = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(0);
    expect(Object.values(proxy.injected).every((n) => n > 0)).toBe(true);

    const individual = encounters.filter((e) => e.mode === 'individual');
    const groups = encounters.filter((e) => e.mode === 'group');
    expectExactlyOnce(await stored('Encounter', ids().encounter), individual.map((e) => e.id));
    expectExactlyOnce(await stored('Encounter', ids().groupSession), groups.map((e) => e.id));
    expectExactlyOnce(await stored('Encounter', ids().groupAttendance), groups.flatMap((e) => e.attendees.map((a) => `${e.id}:${a.participantId}`)));
    const attendanceKey = (e: PeerEncounter, participantId: string) => (e.mode === 'individual' ? e.id : `${e.id}:${participantId}`);
    expectExactlyOnce(
      await stored('Condition', ids().diagnosis),
      encounters.flatMap((e) => e.attendees.flatMap((a) => a.diagnoses.map((d) => `${attendanceKey(e, a.participantId)}:${d}`))),
    );
    expectExactlyOnce(
      await stored('DocumentReference', ids().note),
      encounters.flatMap((e) => e.attendees.filter((a) => a.note !== undefined).map((a) => attendanceKey(e, a.participantId))),
    );
    const patients = await server.repository.search('Patient');
    expect(patients).toHaveLength(agency.participants.length);
  }, pick(90_000, 1_200_000));

  it.skipIf(!CLI_BUILT)(`CLI: \`peer-fhir import\` of ${CLI_ROWS} rows through the same proxy lands every row exactly once`, async () => {
    // The built CLI as a child process, --fhir-url at a proxy of the same kind in front of the same server (its own
    // PRNG, 30% of requests), small bundles so that there are enough requests to fault. The CLI's default namespace
    // differs from NS above, so the counts below see only what the CLI wrote.
    const f = importFixture(CLI_ROWS, 0, 23);
    const t0 = performance.now();
    let run: Awaited<ReturnType<typeof runCli>>;
    try {
      run = await runCli(['import', f.csv, '--fhir-url', `http://127.0.0.1:${cliProxy.port}/fhir`, '--config', f.cfg, '--json', '--bundle-size', '3']);
    } finally {
      await cliProxy.close();
    }
    const injected = { ...cliProxy.injected };
    // A request failed this many attempts in a row: past 6 (the client's retries), `import` writes it again.
    const streak = cliProxy.longestFaultStreak();
    console.info(`R1 CLI: ${f.rows.length} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s through ${cliProxy.requests} requests, longest run of failed attempts at one request ${streak}; faults injected:`, injected);
    expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    if (run.code !== 0) console.info("STDERR", run.stderr.slice(0, 3000), "STDOUT", run.stdout.slice(0, 1500));
    expect(run.code).toBe(0);
    const s = JSON.parse(run.stdout) as { rowsRead: number; created: number; alreadyPresent: number; rejected: number };
    expect(s).toMatchObject({ rowsRead: f.rows.length, rejected: 0 });
    expect(s.created + s.alreadyPresent).toBe(f.rows.length);
    expect(Object.values(injected).filter((n) => n > 0).length).toBeGreaterThanOrEqual(4);
    await expectImportedOnce(server, f);
  }, pick(120_000, 2_400_000));
});
