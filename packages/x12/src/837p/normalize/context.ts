/**
 * What every 837P normalisation step shares: the input, the issue list, the path prefix, and the draft the steps fill
 * in. Each step validates one loop or element group and records its X12-ready values in the draft; `assembleClaim`
 * turns a complete draft into a {@link NormalizedClaim}.
 */
import type { Claim } from 'fhir/r4.js';
import type { X12Issue } from '../../errors.js';
import type { X12ClaimInput, NormalizedAddress, NormalizedClaim, NormalizedLine } from '../input.js';

/** The input and issue list one claim's steps read and write. */
export interface NormalizeContext {
  readonly input: X12ClaimInput;
  readonly claim: Claim;
  readonly issues: X12Issue[];
  /** The issue path of `s` under this claim's prefix (`claims[0].claim.item[1]`). */
  readonly path: (s: string) => string;
}

/** A person's name as the NM1 elements carry it. */
export interface PersonName {
  readonly last: string;
  readonly first?: string;
  readonly middle?: string;
}

/** The values the steps have produced so far; a value is absent when its step pushed an issue instead. */
export interface ClaimDraft {
  patientControlNumber?: string;
  billing?: NormalizedClaim['billing'];
  subscriberName?: PersonName;
  subscriberAddress?: NormalizedAddress;
  birthDate?: string;
  gender?: 'M' | 'F' | 'U';
  memberId?: string;
  payer?: NormalizedClaim['payer'];
  rendering?: NormalizedClaim['rendering'];
  /** The rendering NPI as found, valid or not: 2310D compares against it. */
  renderingNpi?: string;
  supervising?: NormalizedClaim['supervising'];
  diagnoses: string[];
  /** Claim.diagnosis.sequence -> its 1-based HI position (SV107 pointers). */
  dxPosition: Map<number, number>;
  frequency: '1' | '7' | '8';
  payerClaimControlNumber?: string;
  priorAuthorization?: string;
  filingIndicator?: string;
  lines: NormalizedLine[];
  totalCents: number;
}

/** One normalisation step: validates its part of the claim, pushes issues, records values in the draft. */
export type NormalizeStep = (ctx: NormalizeContext, draft: ClaimDraft) => void;

/** An empty draft: no diagnoses, no lines, frequency 1 (original) until the frequency step decides otherwise. */
export function emptyDraft(): ClaimDraft {
  return { diagnoses: [], dxPosition: new Map(), frequency: '1', lines: [], totalCents: 0 };
}
