import { readFile } from 'node:fs/promises';
import { identifierSystems } from '@peer-fhir/core';
import { read277, read999, submitted837Transactions, X12ParseError, type ClaimStatusReport, type ImplementationAcknowledgment } from '@peer-fhir/x12';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { storeClaimStatus } from '../internal/claim-status.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runAck} (`peer-fhir ack`).
 *
 * @example
 * ```ts
 * const opts: AckOptions = { claims: 'out/march.837', fhirUrl: 'http://localhost:8080/fhir' };
 * ```
 * @category Ack
 */
export interface AckOptions extends FhirTargetOptions {
  /** The 837 a 999 answers: maps its transaction sets back to claims. */
  claims?: string | undefined;
  /** Config file (the agency, the identifier namespace); default `./peer-fhir.config.json` when present. */
  config?: string | undefined;
  configValue?: CliConfig | undefined;
  /** The agency whose claims a 277CA answers (default: the config's organization). */
  organizationNpi?: string | undefined;
}

/**
 * Result of {@link runAck}: what was acknowledged, accepted and rejected.
 *
 * @example
 * ```ts
 * const { kind, accepted, rejected } = await runAck('ack.277', {}, io);
 * ```
 * @category Ack
 */
export interface AckResult {
  kind: '999' | '277';
  /** Claims (277CA; 999 with `--claims`) or transaction sets (999 without) accepted and rejected. */
  accepted: number;
  rejected: number;
  /** CLM01 of every rejected claim, when known. */
  rejectedClaims: string[];
  claimResponsesStored: number;
  exitCode: ExitCode;
}

/**
 * Read an acknowledgment of claims sent: a 999 (implementation acknowledgment: accepted / rejected per transaction set,
 * mapped to its claims with `--claims FILE.837`) or a 277CA (claim acknowledgment: accepted / rejected per claim, stored
 * as ClaimResponses with outcome `queued` / `error` against the stored Claims, reasons in words). A claim rejected at
 * the 277CA never reached adjudication: correct it and bill it again. Exit 1 when anything was rejected.
 *
 * @param file - the 999 or 277CA file
 * @param opts - the options of `peer-fhir ack` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the claims accepted and rejected, and the exit code
 * @example
 * ```ts
 * import { runAck } from '@peer-fhir/cli';
 * const { rejectedClaims } = await runAck('out/march.999', { claims: 'out/march.837' }, io);
 * ```
 * @category Commands
 */
export async function runAck(file: string, opts: AckOptions, io: CommandIo): Promise<AckResult> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliUsageError(`cannot read ${file}`);
  });
  const kind = /(^|[\r\n~])\s*ST[*|^~:](999|277)[*|^~:]/.exec(text)?.[2] as '999' | '277' | undefined;
  if (!kind) throw new CliUsageError(`${file} is neither a 999 nor a 277 acknowledgment`);
  try {
    return kind === '999' ? await ack999(read999(text), opts, io) : await ack277(read277(text), opts, io);
  } catch (err) {
    if (err instanceof X12ParseError) throw new CliUsageError(`${file} was refused, nothing stored: ${err.message}`, [`code ${err.code}`]);
    throw err;
  }
}

async function ack999(groups: ImplementationAcknowledgment[], opts: AckOptions, io: CommandIo): Promise<AckResult> {
  const sent = opts.claims ? submitted837Transactions(await readFile(opts.claims, 'utf8').catch(() => { throw new CliUsageError(`cannot read ${opts.claims}`); })) : undefined;
  const claimsOf = (g: ImplementationAcknowledgment, controlNumber: string) =>
    sent?.find((s) => s.groupControlNumber === g.groupControlNumber && s.controlNumber === controlNumber)?.patientControlNumbers;
  let accepted = 0;
  let rejected = 0;
  const rejectedClaims: string[] = [];
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(`group ${g.groupControlNumber} (${g.functionalIdentifier} ${g.version ?? ''}): ${g.status} — ${g.acceptedCount} of ${g.received} transaction set(s) accepted`);
    for (const t of g.transactions) {
      const claims = claimsOf(g, t.controlNumber);
      const n = claims ? claims.length : 1;
      if (t.accepted) accepted += n;
      else {
        rejected += n;
        rejectedClaims.push(...(claims ?? []));
      }
      if (!t.accepted || t.errors.length) {
        const where = t.errors.map((e) => `${e.segmentId}${e.segmentPosition ? ` (segment ${e.segmentPosition}${e.loop ? `, loop ${e.loop}` : ''})` : ''}${e.elementPosition ? ` element ${e.elementPosition}` : ''} code ${e.code}`).join('; ');
        lines.push(`  transaction set ${t.controlNumber}: ${t.accepted ? 'accepted with errors' : 'rejected'}${claims ? ` — claims ${claims.join(', ')}` : ''}${where ? ` — ${where}` : ''}`);
      }
    }
  }
  const exitCode = rejected > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
  if (io.json) printJson(io, { kind: '999', accepted, rejected, rejectedClaims, groups, exitCode });
  else {
    say(io, `999: ${accepted} ${sent ? 'claim(s)' : 'transaction set(s)'} accepted, ${rejected} rejected`);
    for (const l of lines) say(io, l);
    if (rejected && !sent) note(io, 'pass --claims FILE.837 to name the rejected claims');
  }
  return { kind: '999', accepted, rejected, rejectedClaims, claimResponsesStored: 0, exitCode };
}

async function ack277(reports: ClaimStatusReport[], opts: AckOptions, io: CommandIo): Promise<AckResult> {
  const config = await resolveConfig(opts, io.cwd);
  const claimSystem = identifierSystems(scopeOf(config, opts.organizationNpi)).claim;
  const target = await openTarget(opts, io);
  try {
    const { claims: all, responses, stored, unmatched } = await storeClaimStatus(target.client, claimSystem, reports);
    const rejectedClaims = all.filter((c) => c.outcome === 'rejected').map((c) => c.patientControlNumber);
    const accepted = all.length - rejectedClaims.length;
    const exitCode = rejectedClaims.length > 0 || unmatched > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    if (io.json) printJson(io, { kind: '277', accepted, rejected: rejectedClaims.length, rejectedClaims, unmatched, claimResponsesStored: stored, reports, exitCode });
    else {
      say(io, `277 (${reports.map((r) => r.version).join(', ')}): ${accepted} claim(s) accepted, ${rejectedClaims.length} rejected${unmatched ? `, ${unmatched} matching no stored Claim` : ''}`);
      // One ClaimResponse per claim status answer, in the same order.
      all.forEach((claim, i) => {
        const cr = responses[i];
        if (cr && (cr.outcome === 'error' || !cr.request)) say(io, `  ${claim.patientControlNumber}: ${cr.disposition ?? ''}${cr.request ? '' : ' (no stored Claim)'}`);
      });
      say(io, `${stored} ClaimResponse(s) stored on ${target.url}`);
      if (rejectedClaims.length) note(io, 'rejected claims never reached adjudication: correct them and bill them again');
    }
    return { kind: '277', accepted, rejected: rejectedClaims.length, rejectedClaims, claimResponsesStored: stored, exitCode };
  } finally {
    await target.close();
  }
}

/** `peer-fhir ack`: its options and help, and how it runs (docs/cli.md). */
export const ackCommand: CommandDefinition<AckOptions & { file: string }> = {
  name: 'ack',
  positional: ['file'],
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('read a 999 or 277CA acknowledgment: which claims were accepted or rejected, and why')
        .argument('<file>', 'the 999 or 277 file')
        .option('--claims <file>', 'the 837 a 999 answers (names the claims of each transaction set)'),
      'config', 'organizationNpi', 'json', 'fhir',
    )
      .addHelpText('after', examples(['peer-fhir ack out/march.999 --claims out/march.837', 'peer-fhir ack out/march.277 --fhir-url https://fhir.example.org/r4'])),
  run: (o, io) => runAck(o.file, o, io),
};
