import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PeerFhirClient } from '@peer-fhir/client';
import type { BundleEntry, BundleEntryRequest, Identifier } from 'fhir/r4.js';
import { identifierSystems } from '@peer-fhir/core';
import { read835, reconcile, remittanceToClaimResponses, toPaymentReconciliation, X12ParseError, type ReconciliationReport, type Remittance } from '@peer-fhir/x12';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { storedClaims } from '../internal/stored-claims.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runRemit} (`peer-fhir remit`).
 *
 * @example
 * ```ts
 * const opts: RemitOptions = { fhirUrl: 'http://localhost:8080/fhir' };
 * ```
 * @category Remit
 */
export interface RemitOptions extends FhirTargetOptions {
  /** Config file (for the identifier namespace); optional. */
  config?: string | undefined;
  configValue?: CliConfig | undefined;
}

/**
 * Result of {@link runRemit}: the reconciliation against the stored Claims and what was stored.
 *
 * @example
 * ```ts
 * const { reconciliation, counts, claimsUnmatched } = await runRemit('era.835', {}, io);
 * ```
 * @category Remit
 */
export interface RemitResult {
  reconciliation: ReconciliationReport;
  /** Reconciled entries by outcome (`paid`, `adjusted`, `denied`, `reversed`, `unmatched`). */
  counts: Record<string, number>;
  /** ClaimResponses newly stored (one per claim payment of the 835, reversals included). */
  claimResponsesStored: number;
  /** PaymentReconciliations newly stored (one per ST..SE payment). */
  paymentReconciliationsStored: number;
  /** Claim payments (CLP loops) matched to a stored Claim, and those that matched none. */
  claimsMatched: number;
  claimsUnmatched: number;
  exitCode: ExitCode;
}

/**
 * Read an X12 835 remittance, store a ClaimResponse per claim payment (reversals included) and a PaymentReconciliation
 * per payment on the FHIR server (conditional creates: reading the same file again stores nothing new), and explain
 * what was paid, adjusted, denied and reversed, reconciled line by line — with encounter and date of service — against
 * the stored Claims. The report leads with how many claims matched and how much money is unaccounted for.
 *
 * A file that is not 5010, has an amount that is not a number, or does not balance (BPR02 ≠ ΣCLP04 − ΣPLB, or a claim
 * or line whose adjustments do not explain it) is refused whole before anything is stored (exit 2). Exit 1 when some
 * claims could not be matched to a stored Claim (they are stored and listed) or some lines were denied.
 *
 * @param file - the X12 835 file
 * @param opts - the options of `peer-fhir remit` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the reconciliation, what was stored and the exit code
 * @example
 * ```ts
 * import { runRemit } from '@peer-fhir/cli';
 * const { claimsMatched, claimsUnmatched } = await runRemit('out/march.835', { fhirUrl }, io);
 * ```
 * @category Commands
 */
export async function runRemit(file: string, opts: RemitOptions, io: CommandIo): Promise<RemitResult> {
  const remittances = await readRemittances(file);
  const config = await resolveConfig(opts, io.cwd);
  const payments = remittances.reduce((n, r) => n + r.claims.length, 0);
  if (payments === 0) return readNothing(file, remittances, io);
  // The agency: the config's, else the payee the 835 names by NPI (1000B N1*PE*...*XX) when all its remittances agree.
  const payees = [...new Set(remittances.map((r) => r.payee.npi))];
  const payeeNpi = payees.length === 1 ? payees[0] : undefined;
  const claimSystem = identifierSystems(scopeOf(config, config ? undefined : payeeNpi)).claim;
  const target = await openTarget(opts, io);
  try {
    const claims = await storedClaims(target.client, claimSystem, remittances.flatMap((r) => r.claims.map((c) => c.patientControlNumber)));
    const { stored, storedPayments } = await storeRemittances(target.client, remittances, claims);
    const reconciliation = reconcile(claims, remittances);
    const counts: Record<string, number> = {};
    for (const l of reconciliation.lines) counts[l.outcome] = (counts[l.outcome] ?? 0) + 1;
    const claimsUnmatched = reconciliation.remittanceClaimsWithoutClaim.length;
    const claimsMatched = reconciliation.claimsMatched;
    const exitCode = (counts['denied'] ?? 0) > 0 || claimsUnmatched > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    const result: RemitResult = { reconciliation, counts, claimResponsesStored: stored, paymentReconciliationsStored: storedPayments, claimsMatched, claimsUnmatched, exitCode };
    printRemit(io, result, remittances.length, target.url);
    return result;
  } finally {
    await target.close();
  }
}

/** The remittances of an 835 file; a file that does not parse or balance is refused whole (nothing stored). */
async function readRemittances(file: string): Promise<Remittance[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read ${file}`);
  }
  try {
    return read835(text);
  } catch (err) {
    // value-free by construction: positions, segment ids and element names only; nothing was stored
    if (err instanceof X12ParseError) throw new CliUsageError(`${file} was refused, nothing stored: ${err.message}`, [`code ${err.code}`]);
    throw err;
  }
}

/**
 * An 835 without a claim payment has nothing to reconcile: a warning on stderr names what was read, nothing is
 * stored, exit 1 (as `bill` and `report` do when they read nothing).
 */
function readNothing(file: string, remittances: readonly Remittance[], io: CommandIo): RemitResult {
  note(io, `read 0 claim payments (CLP) in ${remittances.length} payment(s) of ${basename(file)}: nothing reconciled, nothing stored (wrong file?)`);
  const reconciliation = reconcile([], []);
  const result: RemitResult = { reconciliation, counts: {}, claimResponsesStored: 0, paymentReconciliationsStored: 0, claimsMatched: 0, claimsUnmatched: 0, exitCode: ExitCode.SOME_REJECTED };
  if (io.json) printJson(io, { claimsMatched: 0, claimsUnmatched: 0, unaccounted: 0, counts: {}, totals: reconciliation.totals, claimResponsesStored: 0, paymentReconciliationsStored: 0, reconciliation, exitCode: result.exitCode });
  return result;
}

/** Store each remittance's ClaimResponses, then its PaymentReconciliation (which names them); counts the new ones. */
async function storeRemittances(client: PeerFhirClient, remittances: readonly Remittance[], claims: Awaited<ReturnType<typeof storedClaims>>): Promise<{ stored: number; storedPayments: number }> {
  let stored = 0;
  let storedPayments = 0;
  for (const r of remittances) {
    const responses = remittanceToClaimResponses(r, claims);
    const entries: BundleEntry[] = responses.map((resource) => ({ resource, request: conditionalCreate('ClaimResponse', resource.identifier) }));
    for (let i = 0; i < entries.length; i += 100) {
      const res = await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: entries.slice(i, i + 100) });
      stored += (res.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
    }
    // after its ClaimResponses, which its details name by identifier
    const payment = toPaymentReconciliation(r, { claims });
    const res = await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: payment, request: conditionalCreate('PaymentReconciliation', payment.identifier) }] });
    storedPayments += (res.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
  }
  return { stored, storedPayments };
}

/** The remit summary: matched claims and unaccounted money first, then each line that was not paid in full. */
function printRemit(io: CommandIo, r: RemitResult, payments: number, url: string): void {
  const { reconciliation, counts, claimsMatched, claimsUnmatched, exitCode } = r;
  const t = reconciliation.totals;
  if (io.json) {
    printJson(io, { claimsMatched, claimsUnmatched, unaccounted: t.unaccounted, counts, totals: t, claimResponsesStored: r.claimResponsesStored, paymentReconciliationsStored: r.paymentReconciliationsStored, reconciliation, exitCode });
    return;
  }
  say(io, `${claimsMatched} of ${claimsMatched + claimsUnmatched} claim payment(s) matched a stored Claim; ${usd(t.unaccounted)} unaccounted for`);
  if (claimsUnmatched) say(io, `claims in the 835 with no stored Claim (stored, not matched): ${reconciliation.remittanceClaimsWithoutClaim.join(', ')}`);
  say(io, `${payments} payment(s) totalling ${usd(t.payment)}: claims paid ${usd(t.paid)}, provider adjustments ${usd(t.providerAdjustments)}`);
  say(io, Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', '));
  say(io, `billed ${usd(t.billed)}, paid ${usd(t.paid)}, adjusted ${usd(t.adjusted)}, patient responsibility ${usd(t.patientResponsibility)}`);
  for (const l of reconciliation.lines.filter((x) => x.outcome !== 'paid')) {
    const where = [l.encounters.length ? `encounter ${l.encounters.join(', ')}` : '', l.serviceDate ? `on ${l.serviceDate}` : ''].filter(Boolean).join(' ');
    say(io, `  ${l.patientControlNumber} ${l.level === 'claim' ? 'claim' : `line ${l.itemSequence ?? '?'}`}${where ? ` (${where})` : ''} ${l.procedure ?? ''}: ${l.outcome} — ${l.explanation}`);
  }
  for (const a of reconciliation.providerAdjustments) say(io, `  provider adjustment ${a.reason} (${a.reasonText}): ${usd(-a.amount)} on payment ${a.traceNumber}`);
  say(io, `${r.claimResponsesStored} ClaimResponse(s) and ${r.paymentReconciliationsStored} PaymentReconciliation(s) stored on ${url}`);
  if (exitCode !== ExitCode.OK) note(io, claimsUnmatched ? 'some claims did not match a stored Claim' : 'some lines were denied');
}

const usd = (dollars: number) => `${dollars < 0 ? '-' : ''}$${Math.abs(dollars).toFixed(2)}`;

/** A conditional create on the first identifier: reading the same 835 again stores nothing new. */
function conditionalCreate(type: 'ClaimResponse' | 'PaymentReconciliation', identifier: readonly Identifier[] | undefined): BundleEntryRequest {
  const id = identifier?.[0];
  return { method: 'POST', url: type, ...(id?.system && id.value ? { ifNoneExist: `identifier=${encodeURIComponent(id.system)}|${encodeURIComponent(id.value)}` } : {}) };
}

/** `peer-fhir remit`: its options and help, and how it runs (docs/cli.md). */
export const remitCommand: CommandDefinition<RemitOptions & { file: string }> = {
  name: 'remit',
  positional: ['file'],
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('read an X12 835, store ClaimResponses and explain what was paid, adjusted and denied')
        .argument('<file>', 'the 835 file'),
      'config', 'json', 'fhir',
    )
      .addHelpText('after', examples(['peer-fhir remit out/march.835', 'peer-fhir remit era.835 --fhir-url https://fhir.example.org/r4 --json'])),
  run: (o, io) => runRemit(o.file, o, io),
};
