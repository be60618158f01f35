import { readFile } from 'node:fs/promises';
import type { BundleEntry, Claim } from 'fhir/r4.js';
import { identifierSystems } from '@peer-fhir/core';
import { PAYER_CLAIM_CONTROL_NUMBER_SYSTEM, read835, reconcile, remittanceToClaimResponses, X12ParseError, type ReconciliationReport } from '@peer-fhir/x12';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';

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
 * const { reconciliation, counts } = await runRemit('era.835', {}, io);
 * ```
 * @category Remit
 */
export interface RemitResult {
  reconciliation: ReconciliationReport;
  counts: Record<string, number>;
  claimResponsesStored: number;
  exitCode: ExitCode;
}

/**
 * Read an X12 835 remittance, store a ClaimResponse per claim on the FHIR server (conditional creates: reading the
 * same file again stores nothing new), and explain what was paid, adjusted and denied, reconciled line by line
 * against the stored Claims.
 *
 * @example
 * ```ts
 * import { runRemit } from '@peer-fhir/cli';
 * const { counts } = await runRemit('out/march.835', { fhirUrl }, io); // { paid: 80, adjusted: 12, denied: 9 }
 * ```
 * @category Commands
 */
export async function runRemit(file: string, opts: RemitOptions, io: CommandIo): Promise<RemitResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read ${file}`);
  }
  const config = await resolveConfig(opts, io.cwd);
  let remittances;
  try {
    remittances = read835(text);
  } catch (err) {
    if (err instanceof X12ParseError) throw new CliUsageError(`${file} is not a readable 835 (segment ${err.segmentIndex ?? '?'} ${err.segmentId ?? ''})`);
    throw err;
  }
  // The agency: the config's, else the payee the 835 names by NPI (1000B N1*PE*...*XX) when all its remittances agree.
  const payees = [...new Set(remittances.map((r) => r.payee.npi))];
  const payeeNpi = payees.length === 1 ? payees[0] : undefined;
  const claimSystem = identifierSystems(scopeOf(config, config ? undefined : payeeNpi)).claim;
  const target = await openTarget(opts, io);
  try {
    const pcns = [...new Set(remittances.flatMap((r) => r.claims.map((c) => c.patientControlNumber)))];
    const claims: Claim[] = [];
    for (let i = 0; i < pcns.length; i += 50) {
      const chunk = pcns.slice(i, i + 50);
      const params = new URLSearchParams({ identifier: chunk.map((p) => `${claimSystem}|${p}`).join(','), _count: '500' });
      for await (const c of target.client.searchAll('Claim', params)) claims.push(c);
    }
    const responses = remittances.flatMap((r) => remittanceToClaimResponses(r, claims));
    const entries: BundleEntry[] = responses.map((resource) => {
      const icn = resource.identifier?.find((x) => x.system === PAYER_CLAIM_CONTROL_NUMBER_SYSTEM);
      return {
        resource,
        request: { method: 'POST', url: 'ClaimResponse', ...(icn?.value ? { ifNoneExist: `identifier=${encodeURIComponent(icn.system!)}|${encodeURIComponent(icn.value)}` } : {}) },
      };
    });
    let stored = 0;
    for (let i = 0; i < entries.length; i += 100) {
      const res = await target.client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: entries.slice(i, i + 100) });
      stored += (res.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
    }
    const reconciliation = reconcile(claims, remittances);
    const counts: Record<string, number> = {};
    for (const l of reconciliation.lines) counts[l.outcome] = (counts[l.outcome] ?? 0) + 1;
    const unmatched = reconciliation.claimsWithoutRemittance.length + reconciliation.remittanceClaimsWithoutClaim.length;
    const exitCode = (counts['denied'] ?? 0) > 0 || unmatched > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    if (io.json) printJson(io, { counts, totals: reconciliation.totals, claimResponsesStored: stored, reconciliation, exitCode });
    else {
      const t = reconciliation.totals;
      say(io, `${remittances.length} remittance(s), ${responses.length} claims, ${reconciliation.lines.length} service lines`);
      say(io, Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', '));
      say(io, `billed $${t.billed.toFixed(2)}, paid $${t.paid.toFixed(2)}, adjusted $${t.adjusted.toFixed(2)}, patient responsibility $${t.patientResponsibility.toFixed(2)}`);
      for (const l of reconciliation.lines.filter((x) => x.outcome !== 'paid')) say(io, `  ${l.patientControlNumber} line ${l.itemSequence ?? '?'} ${l.procedure ?? ''}: ${l.outcome} — ${l.explanation}`);
      if (reconciliation.remittanceClaimsWithoutClaim.length) say(io, `claims in the 835 with no stored Claim: ${reconciliation.remittanceClaimsWithoutClaim.join(', ')}`);
      say(io, `${stored} ClaimResponse(s) stored on ${target.url}`);
      if (exitCode !== ExitCode.OK) note(io, 'some lines were denied or did not match a claim');
    }
    return { reconciliation, counts, claimResponsesStored: stored, exitCode };
  } finally {
    await target.close();
  }
}
