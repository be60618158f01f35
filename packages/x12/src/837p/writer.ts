import { X12InputError, type X12Issue } from '../errors.js';
import { Batch837Writer } from './batch.js';
import type { NormalizedClaim, X12ClaimInput } from './input.js';
import { normalizeClaim } from './normalize.js';
import type { Write837POptions } from './options.js';

/**
 * Write FHIR claims as one X12 837P 005010X222A1 interchange (ISA/GS, one or more ST..SE, GE/IEA).
 *
 * Every claim is validated first; any problem in any claim throws one {@link X12InputError} listing
 * all of them (paths like `claims[3].claim.item[0].modifier`, never values). Consecutive claims of the
 * same billing provider share a 2000A HL, consecutive claims of the same subscriber a 2000B HL.
 *
 * Spec: ASC X12N 837 Health Care Claim: Professional, 005010X222A1 (loops 1000A–2400).
 *
 * @param claims - the claims with their resolved resources
 * @param options - ISA/GS parties, usage, control numbers and submitter
 * @returns the 837P interchange text
 * @example
 * const text = write837P([input], {
 *   sender: { id: 'SUBMITTER01' },
 *   receiver: { id: 'MEDICAID01', name: 'STATE MEDICAID' },
 *   submitter: { name: 'Example Peer Agency', contact: { name: 'Billing Office', phone: '5555550100' } },
 *   controlNumbers: { isa: 1, gs: 1 },
 *   usage: 'T',
 * });
 * @category 837P
 */
export function write837P(claims: readonly X12ClaimInput[], options: Write837POptions): string {
  const writer = new Batch837Writer(options);
  if (!Array.isArray(claims) || claims.length === 0) {
    throw new X12InputError([{ path: 'claims', message: 'at least one claim is required' }]);
  }
  const issues: X12Issue[] = [];
  const normalized: NormalizedClaim[] = [];
  claims.forEach((input, i) => {
    const c = normalizeClaim(input, `claims[${i}]`, issues);
    if (c) normalized.push(c);
  });
  if (issues.length) throw new X12InputError(issues);
  const parts: string[] = [];
  for (const c of normalized) parts.push(writer.addNormalized(c));
  parts.push(writer.finish());
  return parts.join('');
}

/**
 * Check claims against the 837P rules this writer enforces, without writing anything.
 *
 * Spec: 005010X222A1 (CLM/HI/SV1 element rules as documented in the package README).
 *
 * @param input - one claim with its resolved resources
 * @param path - the path prefix of issues (default 'claim')
 * @returns every problem found (paths and element references, no values); empty when it can be written
 * @example
 * const issues = validateX12ClaimInput(input);
 * if (issues.length) console.log(issues.map((i) => `${i.path}: ${i.message}`));
 * @category 837P
 */
export function validateX12ClaimInput(input: X12ClaimInput, path = 'claim'): X12Issue[] {
  const issues: X12Issue[] = [];
  normalizeClaim(input, path, issues);
  return issues;
}
