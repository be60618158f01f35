import { createReadStream } from 'node:fs';
import type { Coverage, CoverageEligibilityRequest, CoverageEligibilityResponse, Organization, Patient, Reference } from 'fhir/r4.js';
import { FhirConflictError, FhirPreconditionFailedError } from '@peer-fhir/client';
import { ExchangeProfiles, identifierSystems, PeerFhirError, Systems } from '@peer-fhir/core';
import {
  coverageFrom271,
  ELIGIBILITY_TRACE_SYSTEM,
  eligibilityVerdict,
  read271Stream,
  toCoverageEligibilityResponse,
  write270,
  X12ResponseParseError,
  type EligibilityInquiryInput,
  type EligibilityVerdict,
} from '@peer-fhir/x12';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { note, printJson, say, writePrivateFile, type CommandIo } from '../internal/io.js';
import { inquiryEnvelope, inquiryText } from '../internal/x12-inquiry.js';
import { openTarget, type FhirTarget, type FhirTargetOptions } from '../internal/target.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runEligibility} (`peer-fhir eligibility`): either write a 270 (`roster` or `participant`, with
 * `out`) or read a 271 (`read`).
 *
 * @example
 * ```ts
 * const opts: EligibilityOptions = { roster: true, out: 'roster.270', date: '2025-03-03' };
 * ```
 * @category Eligibility
 */
export interface EligibilityOptions extends FhirTargetOptions {
  /** Ask about every participant with an active Coverage. */
  roster?: boolean | undefined;
  /** Ask about these participants (source-system participant ids). */
  participant?: string[] | undefined;
  /** The 270 file to write. */
  out?: string | undefined;
  /** The 271 file to read. */
  read?: string | undefined;
  /** Date of service to ask about, `YYYY-MM-DD`; default today. */
  date?: string | undefined;
  config?: string | undefined;
  configValue?: CliConfig | undefined;
}

/**
 * Result of {@link runEligibility}: what was written or read, every write counted.
 *
 * @example
 * ```ts
 * const { counts } = await runEligibility({ read: 'roster.271' }, io); // { active: 40, inactive: 2, 'other-payer': 3 }
 * ```
 * @category Eligibility
 */
export interface EligibilityResult {
  /** 270: requests written; 271: answers by verdict (`active`, `inactive`, `other-payer`, `rejected`, `unknown`). */
  counts: Record<string, number>;
  /**
   * Writes to the server by outcome: `requests-created`; `responses-created`/`-unchanged`; `coverages-updated`/
   * `-unchanged`/`-conflict`/`-rejected`; `unmatched` answers and `rejected-sets`.
   */
  writes: Record<string, number>;
  /** Per answered request: the request id (the 270 trace), verdict and reason — no names or member ids. */
  answers: { request: string; status: EligibilityVerdict['status']; reason: string }[];
  exitCode: ExitCode;
}

const today = () => new Date().toISOString().slice(0, 10);
const ref = (type: string, id: string | undefined): Reference => ({ reference: `${type}/${id ?? ''}` });
const idOf = (r: Reference | undefined, type: string) => (r?.reference?.startsWith(`${type}/`) ? r.reference.slice(type.length + 1) : undefined);

/**
 * `peer-fhir eligibility`: write an X12 270 for the roster (or some participants) from the Coverages on the FHIR
 * server, storing one CoverageEligibilityRequest per member (its id is the 270 trace); or read a 271, store a
 * CoverageEligibilityResponse per answer and update the Coverage (member id, period, plan, managed-care plan).
 * Unmatched answers and rejected inquiries are counted and reported, never dropped.
 *
 * @param opts - the options of `peer-fhir eligibility` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns what was asked or read, and the exit code
 * @example
 * ```ts
 * import { runEligibility } from '@peer-fhir/cli';
 * import type { CommandIo } from '@peer-fhir/cli';
 * declare const io: CommandIo;
 * await runEligibility({ roster: true, out: 'roster.270', config: 'peer-fhir.config.json' }, io);
 * await runEligibility({ read: 'roster.271' }, io);
 * ```
 * @category Commands
 */
export async function runEligibility(opts: EligibilityOptions, io: CommandIo): Promise<EligibilityResult> {
  const modes = [opts.read !== undefined, opts.roster === true, (opts.participant?.length ?? 0) > 0].filter(Boolean).length;
  if (modes !== 1) throw new CliUsageError('give exactly one of --roster, --participant <id...> or --read <file.271>');
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new CliUsageError('--date must be YYYY-MM-DD');
  if (opts.read === undefined && !opts.out) throw new CliUsageError('--out <file.270> is required with --roster or --participant');
  const config = opts.read !== undefined ? undefined : await resolveConfig(opts, io.cwd);
  const target = await openTarget(opts, io);
  try {
    return opts.read !== undefined ? await read(opts.read, target, io) : await write(opts, config, target, io);
  } finally {
    await target.close();
  }
}

/** Write a 270 for the roster or some participants, storing one CoverageEligibilityRequest per inquiry (its trace). */
async function write(opts: EligibilityOptions, config: CliConfig | undefined, target: FhirTarget, io: CommandIo): Promise<EligibilityResult> {
  if (!config) throw new CliUsageError('--config is required to write a 270 (the agency is the information receiver)');
  if (!opts.out) throw new CliUsageError('--out <file.270> is required with --roster or --participant');
  const coverages = await coveragesAsked(opts, config, target.client, io);
  const date = opts.date ?? today();
  // Only coverages in force on the date asked about
  const current = coverages.filter((c) => (!c.period?.start || c.period.start <= date) && (!c.period?.end || date <= c.period.end));
  const inputs = await inquiries(current, date, config, target.client);
  if (inputs.length === 0) throw new CliUsageError('no active Coverage on the date asked about: nothing to ask');
  const text = render270(inputs, config, io);
  await writePrivateFile(opts.out, text);
  const created = inputs.length;
  const counts = { requests: inputs.length };
  const writes = { 'requests-created': created };
  if (io.json) printJson(io, { counts, writes, file: opts.out, exitCode: ExitCode.OK });
  else {
    say(io, `${inputs.length} eligibility inquir${inputs.length === 1 ? 'y' : 'ies'} for ${date} written to ${opts.out}`);
    say(io, `${created} CoverageEligibilityRequest(s) stored on ${target.url} (their ids are the 270 trace numbers)`);
  }
  return { counts, writes, answers: [], exitCode: ExitCode.OK };
}

/** The active Coverages asked about: every one (`--roster`), or those of the participants named. */
async function coveragesAsked(opts: EligibilityOptions, config: CliConfig, client: FhirTarget['client'], io: CommandIo): Promise<Coverage[]> {
  const ids = identifierSystems(scopeOf(config));
  const coverages: Coverage[] = [];
  if (opts.roster) {
    for await (const c of client.searchAll('Coverage', new URLSearchParams({ status: 'active', _count: '500' }))) coverages.push(c);
    return coverages;
  }
  for (const pid of opts.participant ?? []) {
    let found = 0;
    for await (const p of client.searchAll('Patient', new URLSearchParams({ identifier: `${ids.participant}|${pid}` }))) {
      for await (const c of client.searchAll('Coverage', new URLSearchParams({ beneficiary: `Patient/${p.id}`, status: 'active' }))) {
        coverages.push(c);
        found++;
      }
    }
    if (!found) note(io, 'one --participant id has no active Coverage on the server (skipped)');
  }
  return coverages;
}

/** One stored CoverageEligibilityRequest and its 270 input per Coverage (patients and payers read once each). */
async function inquiries(current: readonly Coverage[], date: string, config: CliConfig, client: FhirTarget['client']): Promise<EligibilityInquiryInput[]> {
  const provider: Organization = {
    resourceType: 'Organization',
    name: config.organization.name,
    identifier: [
      { system: Systems.NPI, value: config.organization.npi },
      { system: Systems.EIN, value: config.organization.taxId },
    ],
  };
  const patients = new Map<string, Patient>();
  const payers = new Map<string, Organization>();
  const inputs: EligibilityInquiryInput[] = [];
  for (const coverage of current) {
    const pid = idOf(coverage.beneficiary, 'Patient');
    const payerId = idOf(coverage.payor[0], 'Organization');
    if (!pid || !payerId) continue;
    const patient = patients.get(pid) ?? (await client.read('Patient', pid));
    patients.set(pid, patient);
    const payer = payers.get(payerId) ?? (await client.read('Organization', payerId));
    payers.set(payerId, payer);
    const request: CoverageEligibilityRequest = {
      resourceType: 'CoverageEligibilityRequest',
      meta: { profile: [ExchangeProfiles.EligibilityRequest] },
      status: 'active',
      purpose: ['validation', 'benefits'],
      patient: ref('Patient', pid),
      created: today(),
      servicedDate: date,
      insurer: ref('Organization', payerId),
      insurance: [{ focal: true, coverage: ref('Coverage', coverage.id) }],
    };
    const stored = await client.create(request);
    inputs.push({ request: stored, patient, coverage, payer, provider });
  }
  return inputs;
}

/** The 270 text; an element that cannot be written is named by path and element (never its value). */
function render270(inputs: readonly EligibilityInquiryInput[], config: CliConfig, io: CommandIo): string {
  return inquiryText('270', io, () => write270(inputs, inquiryEnvelope(config)));
}

async function read(file: string, target: FhirTarget, io: CommandIo): Promise<EligibilityResult> {
  const client = target.client;
  const counts: Record<string, number> = {};
  const writes: Record<string, number> = { 'responses-created': 0, 'responses-unchanged': 0, 'coverages-updated': 0, 'coverages-unchanged': 0, 'coverages-conflict': 0, 'coverages-rejected': 0, unmatched: 0, 'rejected-sets': 0 };
  const answers: EligibilityResult['answers'] = [];
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  try {
    for await (const set of read271Stream(createReadStream(file))) {
      // 2000A/2100A/2100B rejections without subscribers: the whole inquiry was refused
      if (set.subscribers.length === 0) {
        bump(writes, 'rejected-sets');
        const v = set.rejections.map((r) => `${r.code} ${r.text} at ${r.loop}`).join('; ');
        note(io, `transaction set ${set.controlNumber}: 271 rejected the whole inquiry: ${v || 'no answer'}`);
        continue;
      }
      for (const sub of set.subscribers) {
        const trace = sub.traces[0];
        let request: CoverageEligibilityRequest | undefined;
        if (trace && /^[A-Za-z0-9\-.]{1,64}$/.test(trace)) {
          try {
            request = await client.read('CoverageEligibilityRequest', trace);
          } catch {
            request = undefined;
          }
        }
        const coverageId = idOf(request?.insurance?.[0]?.coverage, 'Coverage');
        if (!request || !coverageId) {
          bump(writes, 'unmatched');
          continue;
        }
        const dos = request.servicedDate;
        const verdict = eligibilityVerdict(set, sub, dos ? { dateOfService: dos } : {});
        bump(counts, verdict.status);
        answers.push({ request: request.id!, status: verdict.status, reason: verdict.reason });
        const response: CoverageEligibilityResponse = toCoverageEligibilityResponse(
          set,
          sub,
          { patient: request.patient, request: ref('CoverageEligibilityRequest', request.id), insurer: request.insurer, coverage: ref('Coverage', coverageId) },
          dos ? { dateOfService: dos } : {},
        );
        // One response per request: reading the same 271 again stores nothing new (conditional create on the trace)
        const { status } = await client
          .create(response, { ifNoneExist: `identifier=${encodeURIComponent(`${ELIGIBILITY_TRACE_SYSTEM}|${trace}`)}` })
          .withResponse();
        bump(writes, status === 201 ? 'responses-created' : 'responses-unchanged');
        try {
          const stored = await client.read('Coverage', coverageId);
          const updated = coverageFrom271(stored, set, sub, dos ? { dateOfService: dos } : {});
          if (JSON.stringify(updated) === JSON.stringify(stored)) bump(writes, 'coverages-unchanged');
          else {
            await client.update(updated);
            bump(writes, 'coverages-updated');
          }
        } catch (e) {
          // Someone changed the Coverage meanwhile (412/409) or the server refused it: counted and named, never silent
          if (!(e instanceof PeerFhirError)) throw e;
          bump(writes, e instanceof FhirPreconditionFailedError || e instanceof FhirConflictError ? 'coverages-conflict' : 'coverages-rejected');
          note(io, `request ${request.id}: Coverage not updated (${e.code})`);
        }
      }
    }
  } catch (e) {
    if (e instanceof X12ResponseParseError) throw new CliUsageError(`${file} is not a readable 271: ${e.message}`);
    if (e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'ENOENT') throw new CliUsageError(`cannot read ${file}`);
    throw e;
  }
  const flagged = (writes['coverages-conflict'] ?? 0) + (writes['coverages-rejected'] ?? 0) + (counts['inactive'] ?? 0) + (counts['other-payer'] ?? 0) + (counts['rejected'] ?? 0) + (counts['unknown'] ?? 0) + (writes['unmatched'] ?? 0) + (writes['rejected-sets'] ?? 0);
  const exitCode = flagged > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
  if (io.json) printJson(io, { counts, writes, answers, exitCode });
  else {
    say(io, `${answers.length} answer(s): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    for (const a of answers.filter((x) => x.status !== 'active')) say(io, `  request ${a.request}: ${a.status} — ${a.reason}`);
    say(io, `${writes['responses-created']} CoverageEligibilityResponse(s) stored, ${writes['coverages-updated']} Coverage(s) updated, ${writes['coverages-unchanged']} unchanged on ${target.url}`);
    if (writes['unmatched']) note(io, `${writes['unmatched']} answer(s) match no stored CoverageEligibilityRequest (trace unknown)`);
    if (exitCode !== ExitCode.OK) note(io, 'some members are not eligible, are with another payer, or could not be checked');
  }
  return { counts, writes, answers, exitCode };
}

/** `peer-fhir eligibility`: its options and help, and how it runs (docs/cli.md). */
export const eligibilityCommand: CommandDefinition<EligibilityOptions> = {
  name: 'eligibility',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('ask Medicaid who is covered: write an X12 270 for the roster or some participants, or read the 271 answer into the FHIR server')
        .option('--roster', 'ask about every participant with an active Coverage')
        .option('--participant <ids...>', 'ask about these participants (source-system ids)')
        .option('--out <file.270>', 'the 270 file to write')
        .option('--read <file.271>', 'read a 271: store CoverageEligibilityResponses and update Coverages')
        .option('--date <YYYY-MM-DD>', 'date of service to ask about (default today)'),
      'config', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir eligibility --roster --date 2025-03-03 --out roster.270',
        'peer-fhir eligibility --participant p-001 p-002 --out two.270',
        'peer-fhir eligibility --read roster.271 --json',
      ])),
  run: (o, io) => runEligibility(o, io),
};
