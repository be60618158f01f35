import { X12ParseError, X12VersionError } from '../errors.js';
import { el, X12Tokenizer, type RawSegment } from '../internal/tokenizer.js';

/** One IK3/IK4 error of a 999: where in the acknowledged transaction set, and the code — never the bad value. @category Acknowledgments */
export interface AcknowledgmentError {
  /** IK301 segment id in error (e.g. `NM1`). */
  readonly segmentId: string;
  /** IK302 position of that segment in the transaction set. */
  readonly segmentPosition?: number;
  /** IK303 loop identifier (AN 1..4, e.g. `2010`). */
  readonly loop?: string;
  /** IK304 segment syntax error code, or IK403 element error code when `elementPosition` is set. */
  readonly code: string;
  /** IK401-1 element position in the segment. */
  readonly elementPosition?: number;
  /** IK402 data element reference number. */
  readonly elementReference?: string;
}

/** One acknowledged transaction set (AK2..IK5) of a 999. @category Acknowledgments */
export interface TransactionAcknowledgment {
  /** AK201 transaction set id (e.g. `837`). */
  readonly transactionSetId: string;
  /** AK202 control number (the ST02 of the 837 transaction set). */
  readonly controlNumber: string;
  /** IK501: `A` accepted, `E` accepted with errors, `M`/`R`/`W`/`X` rejected. */
  readonly status: string;
  readonly accepted: boolean;
  /** IK502.. implementation transaction set syntax error codes. */
  readonly codes: readonly string[];
  readonly errors: readonly AcknowledgmentError[];
}

/** One functional group acknowledged by a 999 (AK1..AK9). @category Acknowledgments */
export interface ImplementationAcknowledgment {
  /** AK101 functional identifier (`HC` for an 837). */
  readonly functionalIdentifier: string;
  /** AK102 group control number (the GS06 of the 837). */
  readonly groupControlNumber: string;
  /** AK103 version (e.g. `005010X222A1`). */
  readonly version?: string;
  /** AK901: `A` accepted, `E` accepted with errors, `P` partially accepted, `R`/`M`/`W`/`X` rejected. */
  readonly status: string;
  /** AK902..AK904: transaction sets included, received, accepted. */
  readonly included: number;
  readonly received: number;
  readonly acceptedCount: number;
  readonly transactions: readonly TransactionAcknowledgment[];
}

/** The claim-level status of a 277 (277CA claim acknowledgment or 277 claim status response). @category Acknowledgments */
export interface ClaimStatus {
  /** The 837 CLM01 patient control number: 277CA 2200D TRN02; 277 (X212) 2200D REF*EJ. */
  readonly patientControlNumber: string;
  /** 277 (X212) 2200D TRN02 when REF*EJ carried the patient control number: the 276's claim status trace. */
  readonly trace?: string;
  /** REF*1K payer claim control number, when the payer assigned one. */
  readonly payerClaimControlNumber?: string;
  /** Every STC of the claim (the first is the current status). */
  readonly statuses: readonly {
    /** STC01-1 category code (`A1`, `A2`, `A3`, `A6`, `A7`, `F1`, `P1`, ...). */
    readonly category: string;
    /** STC01-2 status code (X12 claim status code list). */
    readonly code: string;
    /** STC01-3 entity identifier code, when given. */
    readonly entity?: string;
    /** STC02 status information effective date. */
    readonly date?: string;
  }[];
  /** STC04 total claim charge, dollars. */
  readonly chargeAmount?: number;
  /** `accepted` (A1, A2, A5, and finalized or pending categories), `rejected` (A3, A4, A6, A7, A8, E codes). */
  readonly outcome: 'accepted' | 'rejected';
  /** DTP*472 service date or period start, `YYYY-MM-DD`. */
  readonly serviceDate?: string;
}

/** One 277 transaction set: who answered and the status of each claim. @category Acknowledgments */
export interface ClaimStatusReport {
  /** GS08: `005010X214` (277CA) or `005010X212` (277 claim status response). */
  readonly version: string;
  /** ST02. */
  readonly transactionControlNumber: string;
  /** 2100A NM1*PR information source (payer or clearinghouse) name. */
  readonly source?: string;
  readonly claims: readonly ClaimStatus[];
}

/** Words for common claim status category codes. @category Acknowledgments */
export const CLAIM_STATUS_CATEGORY_TEXT: Readonly<Record<string, string>> = {
  A0: 'Forwarded to another entity',
  A1: 'Received',
  A2: 'Accepted into the adjudication system',
  A3: 'Returned as unprocessable',
  A4: 'Not found',
  A5: 'Split claim',
  A6: 'Rejected for missing information',
  A7: 'Rejected for invalid information',
  A8: 'Rejected for relational field in error',
  E0: 'Response not possible: error on the submitted request',
  E1: 'Response not possible: system status',
  F0: 'Finalized',
  F1: 'Finalized: payment',
  F2: 'Finalized: denial',
  F3: 'Finalized: revised',
  P0: 'Pending: adjudication or processing',
  P1: 'Pending: in process',
  P2: 'Pending: payer review',
  P3: 'Pending: provider requested information',
  P4: 'Pending: patient requested information',
  P5: 'Pending: payer administrative or system hold',
  E2: 'Response not possible: information holder not responding, resubmit later',
  E3: 'Correction required: relational fields in error',
  E4: 'Trading partner agreement specific requirement not met',
  F3F: 'Finalized: revised, forwarded',
  F3N: 'Finalized: revised, not forwarded',
  F4: 'Finalized: adjudication complete, no payment forthcoming',
  D0: 'Data search unsuccessful',
  R0: 'Request for additional information: general requests',
  R1: 'Request for additional information: entity requests',
  R3: 'Request for additional information: claim or line',
  R4: 'Request for additional information: documentation',
  R5: 'Request for additional information: more specific detail',
};

function segmentsOf(text: string): RawSegment[] {
  const tok = new X12Tokenizer();
  const segs = [...tok.push(text), ...tok.end()];
  const [isa] = segs;
  if (isa?.id !== 'ISA') throw new X12ParseError('input does not start with an ISA segment', 1);
  if (el(isa, 12) !== '00501') throw new X12VersionError('interchange is not X12 version 5010 (ISA12 must be 00501)', 1, 'ISA', 'ISA12');
  // ST..SE counts
  let st: RawSegment | undefined;
  for (const s of segs) {
    if (s.id === 'ST') st = s;
    if (s.id === 'SE') {
      if (!st) throw new X12ParseError('SE without ST', s.index, s.id);
      if (Number(el(s, 1)) !== s.index - st.index + 1) throw new X12ParseError('SE01 segment count does not match', s.index, s.id, 'SE01');
      st = undefined;
    }
  }
  if (st) throw new X12ParseError('input ended inside a transaction set (missing SE)');
  return segs;
}

const int = (v: string) => (v === '' ? 0 : /^\d+$/.test(v) ? Number(v) : NaN);

/**
 * Read an X12 999 implementation acknowledgment (005010X231A1): per functional group of the 837 it answers, the
 * accepted / rejected status of the group and of each transaction set, with the segment and element error codes —
 * never the rejected values.
 *
 * Spec: ASC X12C 999 005010X231A1 (AK1, AK2, IK3, IK4, IK5, AK9).
 *
 * @param text - the X12 999 interchange
 * @returns one acknowledgment per acknowledged functional group
 * @example
 * const [group] = read999(text);
 * console.log(group.status, group.transactions.map((t) => `${t.controlNumber}: ${t.status}`));
 * @category Acknowledgments
 */
export function read999(text: string): ImplementationAcknowledgment[] {
  const out: ImplementationAcknowledgment[] = [];
  let group: { functionalIdentifier: string; groupControlNumber: string; version?: string; transactions: TransactionAcknowledgment[] } | undefined;
  let tx: { transactionSetId: string; controlNumber: string; errors: AcknowledgmentError[]; segment?: Omit<AcknowledgmentError, 'code'> } | undefined;
  for (const s of segmentsOf(text)) {
    switch (s.id) {
      case 'GS':
        if (el(s, 1) !== 'FA') throw new X12ParseError('functional group is not FA (functional acknowledgment)', s.index, s.id, 'GS01');
        if (!/^005010X231(A1)?$/.test(el(s, 8))) throw new X12VersionError('functional group is not 999 005010X231A1 (GS08)', s.index, s.id, 'GS08');
        break;
      case 'ST':
        if (el(s, 1) !== '999') throw new X12ParseError('transaction set is not 999', s.index, s.id, 'ST01');
        break;
      case 'AK1':
        group = { functionalIdentifier: el(s, 1), groupControlNumber: el(s, 2), ...(el(s, 3) ? { version: el(s, 3) } : {}), transactions: [] };
        break;
      case 'AK2':
        tx = { transactionSetId: el(s, 1), controlNumber: el(s, 2), errors: [] };
        break;
      case 'IK3':
        if (tx) {
          const pos = int(el(s, 2));
          tx.segment = { segmentId: el(s, 1), ...(pos ? { segmentPosition: pos } : {}), ...(el(s, 3) ? { loop: el(s, 3) } : {}) };
          if (el(s, 4)) tx.errors.push({ ...tx.segment, code: el(s, 4) });
        }
        break;
      case 'IK4':
        if (tx) {
          const pos = int(el(s, 1).split(':')[0] ?? '');
          tx.errors.push({ ...(tx.segment ?? { segmentId: '' }), code: el(s, 3), ...(pos ? { elementPosition: pos } : {}), ...(el(s, 2) ? { elementReference: el(s, 2) } : {}) });
        }
        break;
      case 'IK5':
        if (!group || !tx) throw new X12ParseError('IK5 without AK1/AK2', s.index, s.id);
        group.transactions.push({
          transactionSetId: tx.transactionSetId,
          controlNumber: tx.controlNumber,
          status: el(s, 1),
          accepted: el(s, 1) === 'A' || el(s, 1) === 'E',
          codes: [2, 3, 4, 5, 6].map((n) => el(s, n)).filter(Boolean),
          errors: tx.errors,
        });
        tx = undefined;
        break;
      case 'AK9': {
        if (!group) throw new X12ParseError('AK9 without AK1', s.index, s.id);
        const included = int(el(s, 2));
        const received = int(el(s, 3));
        const accepted = int(el(s, 4));
        if ([included, received, accepted].some((n) => Number.isNaN(n))) throw new X12ParseError('AK902..AK904 must be counts', s.index, s.id);
        out.push({ ...group, status: el(s, 1), included, received, acceptedCount: accepted });
        group = undefined;
        break;
      }
    }
  }
  return out;
}

/** The claims of one 837 transaction set, as a 999 names it (GS06 + ST02). @category Acknowledgments */
export interface Submitted837Transaction {
  /** GS06 of the group (AK102 in the 999). */
  readonly groupControlNumber: string;
  /** ST02 (AK202 in the 999). */
  readonly controlNumber: string;
  /** CLM01 of every claim in it, in file order. */
  readonly patientControlNumbers: readonly string[];
}

/**
 * List the claims of each transaction set of an 837 the SDK (or anyone) wrote, so a 999 — which acknowledges
 * transaction sets, not claims — can be mapped back to the claims it accepted or rejected.
 *
 * Spec: 837P 005010X222A1 GS06, ST02, CLM01; 999 AK102/AK202 echo them.
 *
 * @param text - the 837 interchange as it was sent
 * @returns the claims (patient control numbers) of each transaction set
 * @example
 * const sent = submitted837Transactions(await readFile('claims.837', 'utf8'));
 * const rejected = read999(ackText).flatMap((g) => g.transactions.filter((t) => !t.accepted)
 *   .flatMap((t) => sent.find((s) => s.groupControlNumber === g.groupControlNumber && s.controlNumber === t.controlNumber)?.patientControlNumbers ?? []));
 * @category Acknowledgments
 */
export function submitted837Transactions(text: string): Submitted837Transaction[] {
  const out: { groupControlNumber: string; controlNumber: string; patientControlNumbers: string[] }[] = [];
  let gs = '';
  for (const s of segmentsOf(text)) {
    if (s.id === 'GS') gs = el(s, 6);
    else if (s.id === 'ST') out.push({ groupControlNumber: gs, controlNumber: el(s, 2), patientControlNumbers: [] });
    else if (s.id === 'CLM') out.at(-1)?.patientControlNumbers.push(el(s, 1));
  }
  return out;
}
