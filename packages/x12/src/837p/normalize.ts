import type { X12Issue } from '../errors.js';
import { ACT_CODE_SYSTEM } from '../internal/systems.js';
import type { NormalizedClaim, X12ClaimInput } from './input.js';
import { emptyDraft, type ClaimDraft } from './normalize/context.js';
import { NORMALIZE_STEPS } from './normalize/index.js';

export { MAX_DIAGNOSES } from './normalize/diagnoses.js';
export { MAX_LINES_PER_CLAIM, MAX_MODIFIERS, MAX_POINTERS } from './normalize/service-lines.js';

/** 42 CFR Part 2: the claim is labelled with the ActCode `42CFRPart2` security label. */
function isPart2(input: X12ClaimInput): boolean {
  return !!input.claim.meta?.security?.some((s) => s.system === ACT_CODE_SYSTEM && s.code === '42CFRPart2');
}

/** The claim from a draft every step completed; undefined when a required part is missing. */
function assembleClaim(draft: ClaimDraft, part2: boolean): NormalizedClaim | undefined {
  const { billing, subscriberName, birthDate, gender, memberId, payer, rendering, filingIndicator, patientControlNumber } = draft;
  const pos = draft.lines[0]?.pos;
  if (!billing || !subscriberName || !birthDate || !gender || memberId === undefined || !payer || !rendering) return undefined;
  if (filingIndicator === undefined || patientControlNumber === undefined || pos === undefined) return undefined;
  return {
    patientControlNumber,
    totalCents: draft.totalCents,
    pos,
    frequency: draft.frequency,
    ...(draft.payerClaimControlNumber ? { payerClaimControlNumber: draft.payerClaimControlNumber } : {}),
    ...(draft.priorAuthorization ? { priorAuthorization: draft.priorAuthorization } : {}),
    part2,
    diagnoses: draft.diagnoses,
    filingIndicator,
    billing,
    subscriber: {
      ...subscriberName,
      memberId,
      ...(draft.subscriberAddress ? { address: draft.subscriberAddress } : {}),
      birthDate,
      gender,
    },
    payer,
    rendering,
    ...(draft.supervising ? { supervising: draft.supervising } : {}),
    lines: draft.lines,
  };
}

/**
 * Validate one {@link X12ClaimInput} and convert it to X12-ready values, running the steps of `normalize/index.ts` in
 * order. Problems are pushed to `issues` with paths under `prefix`; returns undefined when any were found.
 */
export function normalizeClaim(input: X12ClaimInput, prefix: string, issues: X12Issue[]): NormalizedClaim | undefined {
  const start = issues.length;
  const path = (s: string) => `${prefix}.${s}`;
  const { claim } = input;
  if (!claim || claim.resourceType !== 'Claim') {
    issues.push({ path: path('claim'), message: 'must be a FHIR Claim' });
    return undefined;
  }
  const ctx = { input, claim, issues, path };
  const draft = emptyDraft();
  for (const step of NORMALIZE_STEPS) step(ctx, draft);
  if (issues.length > start) return undefined;
  return assembleClaim(draft, isPart2(input));
}
