/**
 * Test-only 277 claim status responses to a 276, for synthetic data: reads the inquiry's claims and writes, per claim,
 * the 2200D loop the 005010X212 TR3 prescribes for the status the test asks for (finalized paid or denied, pending,
 * request for information, rejected). Not for production: it trusts its input and checks nothing beyond the structure
 * it needs.
 */
import { d8, envelope, segmentsOf } from './interchange.js';

/** One claim asked about in a 276, as the builder hands it to `decide`. @category X12 test builders */
export interface InquiredClaim {
  /** 2200D TRN02 (the 276's claim status trace). */
  readonly trace: string;
  /** 2200D REF*EJ: the 837P CLM01 patient control number. */
  readonly patientControlNumber?: string;
  /** 2200D REF*1K, when the 276 knew the payer's claim number. */
  readonly payerClaimControlNumber?: string;
  /** 2200D AMT*T3 total charge, as written. */
  readonly charge?: string;
  /** 2100D NM109 member id. */
  readonly memberId?: string;
}

/**
 * What the synthetic payer says about one claim: an STC01 category (X12 code list 507) and status code (list 508),
 * with the paid amount (STC05) and payer claim number (REF*1K) where the test wants them.
 *
 * @category X12 test builders
 */
export interface SyntheticClaimStatus {
  /** `F1` paid, `F2` denied, `P1` pending, `R4` documentation requested, `A7` rejected, … */
  readonly category: string;
  readonly code: string;
  readonly paid?: number;
  readonly payerClaimControlNumber?: string;
}

/**
 * Options of {@link answer276}.
 *
 * @category X12 test builders
 */
export interface Answer276Options {
  /** The status per claim; default every claim is pending in process (`P1`, status code 20). */
  readonly decide?: (claim: InquiredClaim) => SyntheticClaimStatus;
  /** BHT04/ISA09 and STC02 date; default 2025-01-01. */
  readonly date?: Date;
}

type Claim = InquiredClaim & { dtp?: string };

function claimField(claim: Claim, s: string[]): void {
  const target = claim as { -readonly [K in keyof InquiredClaim]: InquiredClaim[K] } & { dtp?: string };
  if (s[0] === 'REF' && s[1] === 'EJ') target.patientControlNumber = s[2] ?? '';
  else if (s[0] === 'REF' && s[1] === '1K') target.payerClaimControlNumber = s[2] ?? '';
  else if (s[0] === 'AMT' && s[1] === 'T3') target.charge = s[2] ?? '';
  else if (s[0] === 'DTP' && s[1] === '472') target.dtp = s.join('*');
}

/**
 * The 276 in order as 277 parts: HL and NM1 segments are echoed (the 277 keeps the 276's hierarchy), DMG is dropped
 * (a 277 2000D has none), and each 2200D claim (TRN*1 with its REF, AMT, DTP) becomes one claim to answer.
 */
function parse276(text: string): (string | Claim)[] {
  const { segments } = segmentsOf(text, 'answer276');
  const out: (string | Claim)[] = [];
  let memberId: string | undefined;
  let claim: Claim | undefined;
  for (const s of segments) {
    const [id] = s;
    if (id === 'ST' && s[1] !== '276') throw new Error('answer276: transaction set is not a 276');
    if (id === 'HL' || id === 'NM1') {
      claim = undefined;
      if (id === 'NM1' && s[1] === 'IL') memberId = s[9];
      out.push(s.join('*'));
    } else if (id === 'TRN') {
      claim = { trace: s[2] ?? '', ...(memberId ? { memberId } : {}) };
      out.push(claim);
    } else if (claim) claimField(claim, s);
  }
  return out;
}

function claimLoop(c: Claim, a: SyntheticClaimStatus, date: Date): string[] {
  const paid = a.paid !== undefined ? a.paid.toFixed(2) : a.category === 'F1' ? (c.charge ?? '0') : '0';
  const finalized = a.category.startsWith('F');
  const icn = a.payerClaimControlNumber ?? c.payerClaimControlNumber;
  return [
    `TRN*2*${c.trace}`,
    // STC04 total charge, STC05 payment; STC06 adjudication date and STC08/09 check date and number for finalized claims
    `STC*${a.category}:${a.code}*${d8(date)}**${c.charge ?? '0'}*${paid}${finalized ? `*${d8(date)}` : ''}`,
    ...(icn ? [`REF*1K*${icn}`] : []),
    ...(c.patientControlNumber ? [`REF*EJ*${c.patientControlNumber}`] : []),
    ...(c.dtp ? [c.dtp] : []),
  ];
}

/**
 * Answer a 276 with a 277 claim status response (005010X212) for synthetic data: one ST..SE for the whole inquiry,
 * the 276's hierarchy (HL) and names (NM1) echoed, and per claim a 2200D loop echoing the trace (TRN*2), patient control number (REF*EJ) and service dates with the status `decide` picks.
 *
 * @param text276 - an X12 276 claim status request
 * @param options - the answer date and a status per claim
 * @returns the X12 277 answer text
 * @example
 * ```ts
 * import { answer276 } from '@peer-fhir/testing';
 * declare const text276: string;
 * const text277 = answer276(text276, { decide: (c) => (c.patientControlNumber === 'PCN-1' ? { category: 'F1', code: '65' } : { category: 'P1', code: '20' }) });
 * ```
 * @category X12 test builders
 */
export function answer276(text276: string, options: Answer276Options = {}): string {
  const parts = parse276(text276);
  const date = options.date ?? new Date(Date.UTC(2025, 0, 1, 12, 0));
  const decide = options.decide ?? ((): SyntheticClaimStatus => ({ category: 'P1', code: '20' }));
  // BHT01 0010, BHT02 08 = status notification, BHT06 DG = response
  const body: string[] = [`BHT*0010*08*SYNTHETIC277*${d8(date)}*1200*DG`];
  for (const p of parts) body.push(...(typeof p === 'string' ? [p] : claimLoop(p, decide(p), date)));
  return envelope(body, { date, functionalId: 'HN', transaction: '277', version: '005010X212' });
}
