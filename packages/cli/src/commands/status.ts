import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Claim, ClaimResponse, Coverage, Organization, Patient, Reference, Resource } from 'fhir/r4.js';
import {
  claimsAwaitingStatus,
  claimStatusStage,
  PAYER_CLAIM_CONTROL_NUMBER_SYSTEM,
  read277Stream,
  write276,
  X12ParseError,
  type ClaimStatusInquiryInput,
  type ClaimStatusReport,
  type ClaimStatusStage,
} from '@peer-fhir/x12';
import type { PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems } from '@peer-fhir/core';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { note, printJson, say, writePrivateFile, type CommandIo } from '../internal/io.js';
import { inquiryEnvelope, inquiryText } from '../internal/x12-inquiry.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { storeClaimStatus } from '../internal/claim-status.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runStatus} (`peer-fhir status`).
 *
 * @example
 * ```ts
 * const opts: StatusOptions = { olderThan: '30d', out: 'aged.276' };
 * ```
 * @category Claim status
 */
export interface StatusOptions extends FhirTargetOptions {
  /** Ask about claims older than this: `30d` or `30` (with `out`). */
  olderThan?: string | undefined;
  /** The 276 file to write. */
  out?: string | undefined;
  /** A 277 claim status response to read instead: its answers are stored as ClaimResponses and reported. */
  read?: string | undefined;
  /** "Today", `YYYY-MM-DD`; default today. */
  asOf?: string | undefined;
  config?: string | undefined;
  configValue?: CliConfig | undefined;
}

/**
 * Result of {@link runStatus}: claims asked about and the ones that could not be (their references did not resolve).
 *
 * @example
 * ```ts
 * const { counts } = await runStatus({ olderThan: '30d', out: 'aged.276' }, io); // { asked: 12, unresolved: 0 }
 * ```
 * @category Claim status
 */
export interface StatusResult {
  /** Writing a 276: claims on the server, aged, asked about, and aged ones whose references did not resolve. */
  counts?: { claims: number; aged: number; asked: number; unresolved: number };
  /** Reading a 277: claims by stage (`finalized`, `denied`, `pending`, `information-requested`, `acknowledged`, `rejected`). */
  answers?: Partial<Record<ClaimStatusStage, number>>;
  /** Reading a 277: ClaimResponses created, and answers that match no stored Claim. */
  writes?: { 'claim-responses-created': number; unmatched: number };
  exitCode: ExitCode;
}

/** A literal reference (`Type/id`) is read; a logical one (`Reference.identifier`) is searched. */
async function resolve(client: PeerFhirClient, type: 'Organization' | 'Patient' | 'Coverage', ref: Reference | undefined): Promise<Resource | undefined> {
  try {
    if (ref?.reference?.startsWith(`${type}/`)) return await client.read(type, ref.reference.slice(type.length + 1));
    const id = ref?.identifier;
    if (id?.value) {
      for await (const r of client.searchAll(type, `identifier=${encodeURIComponent(`${id.system ?? ''}|${id.value}`)}`)) return r;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * `peer-fhir status --older-than 30d --out FILE.276`: write an X12 276 claim status inquiry for the active Claims on the
 * FHIR server that are older than N days and have no final ClaimResponse (`complete` or `error`). Claims whose
 * patient, coverage, provider or payer do not resolve are counted as `unresolved` and not asked about.
 *
 * @param opts - the options of `peer-fhir status` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the claims asked about or the answers read, and the exit code
 * @example
 * ```ts
 * import { runStatus } from '@peer-fhir/cli';
 * import type { CommandIo } from '@peer-fhir/cli';
 * declare const io: CommandIo;
 * await runStatus({ olderThan: '30d', out: 'aged.276', config: 'peer-fhir.config.json' }, io);
 * ```
 * @category Commands
 */
export async function runStatus(opts: StatusOptions, io: CommandIo): Promise<StatusResult> {
  if (opts.read !== undefined) return readStatus(opts.read, opts, io);
  if (!opts.out) throw new CliUsageError('--out FILE.276 is required (or --read FILE.277)');
  const m = /^(\d+)d?$/.exec(opts.olderThan ?? '');
  if (!m) throw new CliUsageError('--older-than must be a number of days, e.g. 30d');
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new CliUsageError('--as-of must be YYYY-MM-DD');
  const config = await resolveConfig(opts, io.cwd);
  if (!config) throw new CliUsageError('--config is required (the agency submits the inquiry)');
  const target = await openTarget(opts, io);
  try {
    const client = target.client;
    const claims: Claim[] = [];
    for await (const c of client.searchAll('Claim', new URLSearchParams({ status: 'active', _count: '500' }))) claims.push(c);
    const responses: ClaimResponse[] = [];
    for await (const r of client.searchAll('ClaimResponse', new URLSearchParams({ _count: '500' }))) responses.push(r);
    const aged = claimsAwaitingStatus(claims, responses, { asOf, olderThanDays: Number(m[1]) });
    const inputs: ClaimStatusInquiryInput[] = [];
    let unresolved = 0;
    for (const claim of aged) {
      const is = <T extends Patient | Coverage | Organization>(r: Resource | undefined, type: T['resourceType']): r is T => r?.resourceType === type;
      const [p, c, o, i] = await Promise.all([
        resolve(client, 'Patient', claim.patient),
        resolve(client, 'Coverage', claim.insurance?.[0]?.coverage),
        resolve(client, 'Organization', claim.provider),
        resolve(client, 'Organization', claim.insurer),
      ]);
      const subscriber = is<Patient>(p, 'Patient') ? p : undefined;
      const coverage = is<Coverage>(c, 'Coverage') ? c : undefined;
      const billingProvider = is<Organization>(o, 'Organization') ? o : undefined;
      const insurer = is<Organization>(i, 'Organization') ? i : coverage ? await resolve(client, 'Organization', coverage.payor[0]) : undefined;
      const payerCoverage = is<Organization>(insurer, 'Organization') ? insurer : undefined;
      if (!subscriber || !coverage || !billingProvider || !payerCoverage) {
        unresolved++;
        continue;
      }
      // An earlier answer (queued/partial ClaimResponse) may carry the payer's claim control number
      const icn = responses
        .filter((r) => r.request?.reference === `Claim/${claim.id}`)
        .flatMap((r) => r.identifier ?? [])
        .find((i) => i.system === PAYER_CLAIM_CONTROL_NUMBER_SYSTEM)?.value;
      inputs.push({ claim, subscriber, coverage, billingProvider, payer: payerCoverage, ...(icn ? { payerClaimControlNumber: icn } : {}) });
    }
    const counts = { claims: claims.length, aged: aged.length, asked: inputs.length, unresolved };
    if (inputs.length) {
      const text = inquiryText('276', io, () => write276(inputs, { ...inquiryEnvelope(config), submitter: { name: config.organization.name } }));
      await writePrivateFile(opts.out, text);
    }
    const exitCode = unresolved > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    if (io.json) printJson(io, { counts, file: inputs.length ? opts.out : null, exitCode });
    else {
      say(io, `${claims.length} active claim(s), ${aged.length} older than ${m[1]} day(s) without a final answer`);
      say(io, inputs.length ? `${inputs.length} claim status inquir${inputs.length === 1 ? 'y' : 'ies'} written to ${opts.out}` : 'nothing to ask: no 276 written');
      if (unresolved) note(io, `${unresolved} aged claim(s) not asked about: their patient, coverage, provider or payer did not resolve`);
    }
    return { counts, exitCode };
  } finally {
    await target.close();
  }
}

/** Every transaction set of a 277 file, read whole before anything is stored: a refused file stores nothing. */
async function readReports(file: string): Promise<ClaimStatusReport[]> {
  await access(file).catch(() => {
    throw new CliUsageError(`cannot read ${file}`);
  });
  const reports: ClaimStatusReport[] = [];
  try {
    for await (const r of read277Stream(createReadStream(file))) reports.push(r);
  } catch (err) {
    if (err instanceof X12ParseError) throw new CliUsageError(`${file} was refused, nothing stored: ${err.message}`, [`code ${err.code}`]);
    throw err;
  }
  return reports;
}

function printAnswers(io: CommandIo, r: Awaited<ReturnType<typeof storeClaimStatus>>, answers: StatusResult['answers'], url: string): void {
  say(io, `277: ${r.claims.length} claim status answer(s): ${Object.entries(answers ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  // One ClaimResponse per claim status answer, in the same order.
  r.claims.forEach((claim, i) => {
    const cr = r.responses[i];
    if (cr) say(io, `  ${claim.patientControlNumber}: ${cr.disposition ?? ''}${cr.request ? '' : ' (no stored Claim)'}`);
  });
  say(io, `${r.stored} ClaimResponse(s) stored on ${url}`);
  if (answers?.rejected) note(io, 'rejected claims never reached adjudication: correct them and bill them again');
  if (answers?.['information-requested']) note(io, 'the payer asks for information: send it, or the claim will be denied');
}

/**
 * `peer-fhir status --read FILE.277`: read a 277 claim status response (one 277 reader, shared with `ack`), store one
 * ClaimResponse per claim status against the agency's stored Claims (finalized: `complete`; pending or information
 * requested: `queued`; rejected: `error`) and report the claims by stage. Exit 1 when a claim was rejected, denied, is
 * waiting for information, or matches no stored Claim.
 */
async function readStatus(file: string, opts: StatusOptions, io: CommandIo): Promise<StatusResult> {
  const reports = await readReports(file);
  const config = await resolveConfig(opts, io.cwd, true);
  const claimSystem = identifierSystems(scopeOf(config)).claim;
  const target = await openTarget(opts, io);
  try {
    const r = await storeClaimStatus(target.client, claimSystem, reports);
    const answers: Partial<Record<ClaimStatusStage, number>> = {};
    for (const c of r.claims) {
      const stage = c.outcome === 'rejected' ? 'rejected' : claimStatusStage(c.statuses[0]?.category ?? '');
      answers[stage] = (answers[stage] ?? 0) + 1;
    }
    const writes = { 'claim-responses-created': r.stored, unmatched: r.unmatched };
    const attention = (answers.rejected ?? 0) + (answers.denied ?? 0) + (answers['information-requested'] ?? 0) + r.unmatched;
    const exitCode = attention > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    if (io.json) printJson(io, { answers, writes, claims: r.claims.map((c, i) => ({ patientControlNumber: c.patientControlNumber, outcome: r.responses[i]?.outcome, disposition: r.responses[i]?.disposition })), exitCode });
    else printAnswers(io, r, answers, target.url);
    return { answers, writes, exitCode };
  } finally {
    await target.close();
  }
}

/** `peer-fhir status`: its options and help, and how it runs (docs/cli.md). */
export const statusCommand: CommandDefinition<StatusOptions> = {
  name: 'status',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('chase unanswered claims: write an X12 276 for active Claims older than N days without a final ClaimResponse, or read the 277 answer')
        .option('--older-than <days>', 'age of the claims to ask about, e.g. 30d')
        .option('--out <file.276>', 'the 276 file to write')
        .option('--read <file.277>', 'read a 277 claim status response: store ClaimResponses and report each claim')
        .option('--as-of <YYYY-MM-DD>', 'count the age from this day (default today)'),
      'config', 'json', 'fhir',
    )
      .addHelpText('after', examples(['peer-fhir status --older-than 30d --out aged.276', 'peer-fhir status --older-than 45d --out aged.276 --json', 'peer-fhir status --read aged.277'])),
  run: (o, io) => runStatus(o, io),
};
