// R5 Secrets and PHI in logs: with the most verbose logging on (the client's `logger` capturing every call, plus
// console spied on), a full write + bill + remit run with a bearer token — through a proxy injecting retryable faults,
// and with one request the server rejects — leaves no token and no synthetic PHI value (names, birth dates, member
// ids, MRNs, Medicaid ids, note text, addresses) in anything logged or in any error message. The CLI part runs the
// built binary (import, bill, remit, a server that is down with a token in the --fhir-url query).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Bundle, Claim } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromFhir } from '@peer-fhir/core';
import { PeerClient, PeerFhirClient, type Logger } from '@peer-fhir/client';
import { read835, reconcile, remittanceToClaimResponses, write837P } from '@peer-fhir/x12';
import { loadFhirDefinitions, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { billedAgency, remittanceFor, X12_OPTIONS, type BilledAgency } from './support/billing.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { runBill, type CommandIo } from '../../packages/cli/src/index.js';
import { CLI_BUILT, importFixture, runCli } from './support/cli.js';

const TOKEN = 'sk-live-R5-0b5e7f1a9c4d2e8f6a3b';
const NS = 'https://logs.example.org/ids';

let server: EmbeddedFhirServer;
let proxy: FaultProxy;
let billed: BilledAgency;
const captured: string[] = [];

function capture(sink: string): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    captured.push(`${sink} ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  };
}
const logger: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };

/** Every PHI value of the synthetic agency that a leak could show: at least 4 characters, so matches are meaningful. */
function phiValues(b: BilledAgency): string[] {
  const out = new Set<string>();
  for (const p of b.agency.participants) {
    out.add(p.name.family);
    for (const g of p.name.given) out.add(g);
    out.add(p.birthDate);
    if (p.mrn) out.add(p.mrn);
    if (p.medicaidId) out.add(p.medicaidId);
    for (const c of p.coverages) out.add(c.memberId);
    if (p.address) for (const l of p.address.line) out.add(l);
  }
  for (const e of b.agency.encounters) for (const a of e.attendees) if (a.note) out.add(a.note);
  for (const g of b.agency.plans.flatMap((p) => p.goals)) out.add(g.text);
  return [...out].filter((v) => v.length >= 4);
}

beforeAll(async () => {
  await loadFhirDefinitions();
  // The proxy listens first: the server accepts only the Host names it is told (DNS-rebinding guard).
  const target = { host: '127.0.0.1', port: 0 };
  proxy = await startFaultProxy({ target, rate: 0.2, seed: 55, kinds: ['rate-limit', 'unavailable', 'reset-after', 'truncated'], retryAfterSeconds: 0 });
  server = await startFhirServer({ validate: true, allowedHosts: [`127.0.0.1:${proxy.port}`] });
  target.port = server.port;
  billed = billedAgency({ seed: 21, participants: 12, months: 1 });
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) vi.spyOn(console, m).mockImplementation(capture(`console.${m}`));
});

afterAll(async () => {
  vi.restoreAllMocks();
  await proxy?.close();
  await server?.close();
});

describe('logs of a full write + bill + remit run', () => {
  it('hold no bearer token and no synthetic PHI value', async () => {
    const client = new PeerFhirClient({ baseUrl: `http://127.0.0.1:${proxy.port}/fhir`, auth: TOKEN, logger, maxRetries: 10, timeoutMs: 20_000 });
    const { agency, claims, inputs } = billed;
    const peer = new PeerClient(client, { agency: agency.organization.npi, namespace: NS });
    const errors: unknown[] = [];

    // write
    const summary = await peer.recordEncounters(agency.encounters, {
      organizations: [agency.organization],
      specialists: agency.specialists,
      participants: agency.participants,
      bundleSize: 50,
      concurrency: 2,
      maxRetries: 10,
    });
    expect(summary.failed).toBe(0);
    for (const plan of agency.plans.slice(0, 4)) await peer.upsertRecoveryPlan(plan);
    for (const consent of agency.consents.slice(0, 4)) await peer.grantConsent(consent);
    const first = agency.participants[0]!;
    const found = [];
    for await (const e of peer.findEncounters({ participantId: first.id }, { maxResources: 20 })) found.push(e);
    await peer.getParticipantSummary(first.id);

    // bill: Claims to the server, 837P out
    const bundle: Bundle = { resourceType: 'Bundle', type: 'batch', entry: claims.slice(0, 10).map((c: Claim) => ({ resource: c, request: { method: 'POST', url: 'Claim' } })) };
    await client.batch(bundle).catch((e: unknown) => errors.push(e));
    const x837 = write837P(inputs, X12_OPTIONS);
    expect(x837.startsWith('ISA')).toBe(true);

    // remit: 835 in, ClaimResponses to the server, reconciliation
    const [remittance] = read835(remittanceFor(inputs));
    const responses = remittanceToClaimResponses(remittance!, claims);
    for (const r of responses.slice(0, 5)) await client.create(r).catch((e: unknown) => errors.push(e));
    const report = reconcile(claims, [remittance!]);
    expect(report).toBeDefined();

    // A request the (validating) server rejects, carrying PHI in the body: the error and its log line must not echo it.
    const bad = { resourceType: 'Patient', name: [{ family: first.name.family, given: first.name.given }], birthDate: 'not-a-date', gender: 'bogus' } as never;
    await client.create(bad).catch((e: unknown) => errors.push(e));
    // A read back that fails mapping (a Patient that is not a participant's) — the mapping error must be PHI-free too.
    try {
      fromFhir([{ resourceType: 'Encounter', identifier: [{ system: `${NS}/encounter`, value: 'x' }], status: 'finished', class: { code: first.name.family } } as never], { namespace: NS });
    } catch (e) {
      errors.push(e);
    }

    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const e of errors) captured.push(`thrown ${e instanceof Error ? `${e.name}: ${e.message} ${JSON.stringify(e)}` : String(e)}`);
    const logged = captured.join('\n');

    expect(captured.filter((l) => l.startsWith('debug')).length).toBeGreaterThan(20);
    expect(Object.values(proxy.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(captured.some((l) => l.startsWith('warn'))).toBe(true);

    expect(logged).not.toContain(TOKEN);
    expect(logged.toLowerCase()).not.toContain('bearer');
    const leaked = phiValues(billed).filter((v) => logged.includes(v));
    expect(leaked).toEqual([]);
  }, 180_000);

  // The CLI part is its own describe block below (`peer-fhir import` / `bill` / `remit` as child processes).
});

describe.skipIf(!CLI_BUILT)('CLI: stdout/stderr of `peer-fhir import`, `bill` and `remit` with a bearer token and PHI in rows', () => {
  // The CLI has no --verbose flag: its most talkative setting is plain text (not --json) on a non-TTY, where every
  // command prints its progress lines, summary and notes, with PEER_FHIR_DEBUG=1 (stack frames on unexpected errors).
  // import and remit run once as plain text and once with --json, bill as text and (in-process) as JSON, and an import
  // against a server that is down covers the failure path. The token goes by --auth-env and by --auth-token.
  // Report files (837P, claims, report.md/json, rejects) may hold PHI by design and are not checked.
  const CLI_TOKEN = 'sk-live-R5cli-7d3f9a1e5b2c8d4f';
  let cliServer: EmbeddedFhirServer;
  const outputs: { what: string; text: string }[] = [];
  let phi: string[] = [];
  const env = { FHIR_TOKEN: CLI_TOKEN, PEER_FHIR_DEBUG: '1' };

  beforeAll(async () => {
    cliServer = await startFhirServer();
    const f = importFixture(200, 4, 31);
    phi = [
      ...new Set(
        f.rows.flatMap((r) => [r['participant_family']!, r['participant_given']!, r['participant_birth_date']!, r['medicaid_id']!, r['specialist_family']!, r['specialist_given']!]),
      ),
    ].filter((v) => v && v.length >= 4);
    const url = cliServer.url;
    const times: string[] = [];
    const run = async (what: string, args: string[]) => {
      const t0 = performance.now();
      const r = await runCli(args, { env, cwd: f.dir });
      outputs.push({ what, text: `${r.stdout}\n${r.stderr}` });
      times.push(`${what} ${((performance.now() - t0) / 1000).toFixed(1)} s (exit ${r.code})`);
      return r;
    };
    const imp = await run('import', ['import', f.csv, '--fhir-url', url, '--auth-env', 'FHIR_TOKEN', '--config', f.cfg]);
    expect(imp.code).toBe(1); // the bad rows
    await run('import --json', ['import', f.csv, '--fhir-url', url, '--auth-token', CLI_TOKEN, '--config', f.cfg, '--json']);
    // The 835 answers the claims billed: bill in-process first, as --json (runBill is what the command runs; its output
    // is captured through the command's io), to get the claim inputs; then the command, whose second run of the month
    // bills nothing again (the encounters stand on the first run's claims) but still reads and reports.
    const captured: string[] = [];
    const sink = () => new Writable({ write: (c: Buffer | string, _e, cb) => (captured.push(c.toString()), cb()) });
    const io: CommandIo = { stdout: sink(), stderr: sink(), json: true, env, cwd: f.dir };
    const billed = await runBill({ period: '2025-01', out: join(f.dir, 'jan3.x12'), fhirUrl: url, authEnv: 'FHIR_TOKEN', config: f.cfg }, io);
    outputs.push({ what: 'bill --json (runBill, in-process)', text: captured.join('') });
    expect(billed.inputs.length).toBeGreaterThan(0);
    const out = join(f.dir, 'jan.x12');
    const bill = await run('bill', ['bill', '--period', '2025-01', '--out', out, '--fhir-url', url, '--auth-env', 'FHIR_TOKEN', '--config', f.cfg]);
    expect(bill.code === 0 || bill.code === 1).toBe(true);
    const remitFile = join(f.dir, 'jan.835');
    writeFileSync(remitFile, remittanceFor(billed.inputs));
    await run('remit', ['remit', remitFile, '--fhir-url', url, '--auth-env', 'FHIR_TOKEN', '--config', f.cfg]);
    await run('remit --json', ['remit', remitFile, '--fhir-url', url, '--auth-token', CLI_TOKEN, '--config', f.cfg, '--json']);
    // A failure path: the server unreachable, with the token set, and also in the --fhir-url query (printed redacted).
    await run('import, server down', ['import', f.csv, '--fhir-url', `http://127.0.0.1:9/fhir?access_token=${CLI_TOKEN}`, '--auth-env', 'FHIR_TOKEN', '--config', f.cfg]);
    process.stderr.write(`R5 CLI: ${times.join('; ')}\n`);
  }, 180_000);

  afterAll(async () => {
    await cliServer?.close();
  });

  it('ran every command and printed something', () => {
    expect(outputs.map((o) => o.what)).toHaveLength(7);
    for (const o of outputs) expect(o.text.trim().length, o.what).toBeGreaterThan(0);
    expect(phi.length).toBeGreaterThan(50);
  });

  it('prints no token and no "bearer" in any output', () => {
    for (const o of outputs) {
      expect(o.text, o.what).not.toContain(CLI_TOKEN);
      expect(o.text.toLowerCase(), o.what).not.toContain('bearer');
    }
  });

  it('prints no PHI value of the rows (names, birth dates, Medicaid ids; bad rows included) in any output', () => {
    const leaks = outputs.flatMap((o) => phi.filter((v) => o.text.includes(v)).map((v) => `${o.what}: ${v}`));
    expect(leaks).toEqual([]);
  });
});
