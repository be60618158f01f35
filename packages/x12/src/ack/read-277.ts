/**
 * The one 277 reader: the 277CA claim acknowledgment (005010X214, read by `peer-fhir ack`) and the 277 claim status
 * response (005010X212, read by `peer-fhir status --read`). Segment by segment, so a stream holds one transaction set
 * (plus one partial segment) at a time. Errors name positions and element references, never values.
 */
import { X12ParseError, X12VersionError } from '../errors.js';
import { d8ToFhirDate } from '../internal/format.js';
import type { Delimiters } from '../internal/segment.js';
import { el, X12Tokenizer, type RawSegment } from '../internal/tokenizer.js';
import type { ClaimStatus, ClaimStatusReport } from './read.js';

// 277 claim status category codes (X12 external code list 507): acknowledgments A0-A8, errors E0-E4, finalized F*,
// pending P*, requests R*. A3 (returned as unprocessable), A4 (not found), A6 (missing information), A7 (invalid
// information), A8 (relational field error) and the E codes mean the claim was not accepted.
const REJECTED_CATEGORY = /^(A3|A4|A6|A7|A8|E\d)$/;

type Status = ClaimStatus['statuses'][number];
interface ClaimDraft {
  patientControlNumber: string;
  trace?: string;
  payerClaimControlNumber?: string;
  statuses: Status[];
  chargeAmount?: number;
  serviceDate?: string;
  /** Set after SVC: the STC/DTP that follow belong to a service line (2220D), not to the claim. */
  inLine: boolean;
}
interface ReportDraft {
  version: string;
  transactionControlNumber: string;
  source?: string;
  claims: ClaimStatus[];
  start: number;
}

function finishClaim(c: ClaimDraft): ClaimStatus {
  const first = c.statuses[0];
  return {
    patientControlNumber: c.patientControlNumber,
    ...(c.trace !== undefined ? { trace: c.trace } : {}),
    ...(c.payerClaimControlNumber !== undefined ? { payerClaimControlNumber: c.payerClaimControlNumber } : {}),
    statuses: c.statuses,
    ...(c.chargeAmount !== undefined ? { chargeAmount: c.chargeAmount } : {}),
    outcome: first && REJECTED_CATEGORY.test(first.category) ? 'rejected' : 'accepted',
    ...(c.serviceDate !== undefined ? { serviceDate: c.serviceDate } : {}),
  };
}

/** STC01 (category:code:entity) with STC02 date and STC04 charge. 277 2200D/2220D STC. */
function readStc(s: RawSegment, d: Delimiters): { status: Status; amount?: number } {
  const [category = '', code = '', entity] = el(s, 1).split(d.component);
  const date = d8ToFhirDate(el(s, 2));
  const amount = el(s, 4);
  if (amount !== '' && !/^-?\d+(\.\d{1,2})?$/.test(amount)) throw new X12ParseError('STC04 is not a monetary amount', s.index, s.id, 'STC04');
  return {
    status: { category, code, ...(entity ? { entity } : {}), ...(date ? { date } : {}) },
    ...(amount !== '' ? { amount: Math.round(Number(amount) * 100) / 100 } : {}),
  };
}

/** Segment-by-segment 277 reader; `emit` receives each transaction set at its SE. */
class Parser277 {
  private version = '';
  private report: ReportDraft | undefined;
  private claim: ClaimDraft | undefined;
  private level = '';
  private seenIsa = false;

  constructor(
    private readonly delims: () => Delimiters,
    private readonly emit: (r: ClaimStatusReport) => void,
  ) {}

  segment(s: RawSegment): void {
    if (!this.seenIsa) this.isa(s);
    switch (s.id) {
      case 'GS':
        return this.gs(s);
      case 'ST':
        return this.st(s);
      case 'SE':
        return this.se(s);
      case 'HL':
        return this.hl(s);
      case 'NM1':
        if (this.report && this.level === '20' && el(s, 1) === 'PR' && el(s, 3)) this.report.source = el(s, 3);
        return;
      case 'TRN':
        return this.trn(s);
      case 'REF':
        return this.ref(s);
      case 'STC':
        return this.stc(s);
      case 'SVC':
        if (this.claim) this.claim.inLine = true;
        return;
      case 'DTP':
        return this.dtp(s);
    }
  }

  /** Input that ended inside a transaction set is refused (nothing of a half set is returned). */
  finish(): void {
    if (this.report) throw new X12ParseError('input ended inside a transaction set (missing SE)');
  }

  private isa(s: RawSegment): void {
    if (s.id !== 'ISA') throw new X12ParseError('input does not start with an ISA segment', 1);
    if (el(s, 12) !== '00501') throw new X12VersionError('interchange is not X12 version 5010 (ISA12 must be 00501)', 1, 'ISA', 'ISA12');
    this.seenIsa = true;
  }

  private gs(s: RawSegment): void {
    if (el(s, 1) !== 'HN') throw new X12ParseError('functional group is not HN (health care claim status notification)', s.index, s.id, 'GS01');
    if (!/^005010X21[24]$/.test(el(s, 8))) throw new X12VersionError('functional group is not 277 005010X214 or 005010X212 (GS08)', s.index, s.id, 'GS08');
    this.version = el(s, 8);
  }

  private st(s: RawSegment): void {
    if (this.report) throw new X12ParseError('ST inside a transaction set (missing SE)', s.index, s.id);
    if (el(s, 1) !== '277') throw new X12ParseError('transaction set is not 277', s.index, s.id, 'ST01');
    this.report = { version: this.version, transactionControlNumber: el(s, 2), claims: [], start: s.index };
    this.level = '';
  }

  private se(s: RawSegment): void {
    const r = this.report;
    if (!r) throw new X12ParseError('SE without ST', s.index, s.id);
    if (Number(el(s, 1)) !== s.index - r.start + 1) throw new X12ParseError('SE01 segment count does not match', s.index, s.id, 'SE01');
    this.flush();
    this.report = undefined;
    const { start: _start, ...report } = r;
    this.emit(report);
  }

  private hl(s: RawSegment): void {
    this.flush();
    // 20 information source, 21 receiver, 19 provider; claims sit under PT (277CA 2000D) or 22 (277 2000D subscriber)
    this.level = el(s, 3);
  }

  private trn(s: RawSegment): void {
    if (el(s, 1) !== '2' || (this.level !== 'PT' && this.level !== '22')) return;
    // 2200D TRN*2 opens a claim: in a 277CA it is the 837 CLM01; in a 277 it echoes the 276 trace (2200D REF*EJ then
    // carries CLM01), and one subscriber can have several claims.
    this.flush();
    this.claim = { patientControlNumber: el(s, 2), statuses: [], inLine: false };
  }

  private ref(s: RawSegment): void {
    const c = this.claim;
    if (!c || c.inLine) return;
    if (el(s, 1) === '1K') c.payerClaimControlNumber = el(s, 2);
    if (el(s, 1) === 'EJ' && el(s, 2) !== '') {
      // 277 (X212) 2200D REF*EJ: the patient control number; TRN02 was the inquiry's trace
      if (c.trace === undefined) c.trace = c.patientControlNumber;
      c.patientControlNumber = el(s, 2);
    }
  }

  private stc(s: RawSegment): void {
    const c = this.claim;
    if (!c || c.inLine) return;
    const { status, amount } = readStc(s, this.delims());
    c.statuses.push(status);
    if (amount !== undefined) c.chargeAmount = amount;
  }

  private dtp(s: RawSegment): void {
    const c = this.claim;
    if (!c || c.inLine || el(s, 1) !== '472') return;
    const date = d8ToFhirDate(el(s, 3).slice(0, 8));
    if (date) c.serviceDate = date;
  }

  private flush(): void {
    if (this.claim && this.report) this.report.claims.push(finishClaim(this.claim));
    this.claim = undefined;
  }
}

/**
 * Read an X12 277 — the 277CA claim acknowledgment (005010X214) or the 277 claim status response (005010X212): per
 * claim the patient control number (277CA TRN02; 277 REF*EJ, its TRN02 kept as `trace`), the payer claim control
 * number (REF*1K) and every claim-level STC status, with `outcome` accepted or rejected from the category code.
 *
 * Spec: ASC X12N 277 005010X214 (claim acknowledgment) and 005010X212 (claim status response); claim status category
 * codes (code list 507) and claim status codes (code list 508).
 *
 * @param text - the X12 277 or 277CA interchange
 * @returns one report per transaction set
 * @example
 * ```ts
 * import { read277 } from '@peer-fhir/x12';
 * declare const text: string;
 * const [report] = read277(text);
 * for (const c of report?.claims ?? []) console.log(c.patientControlNumber, c.outcome, c.statuses[0]?.category);
 * ```
 * @throws {@link X12ParseError} when the file is not a well-formed 5010 277 (position and element, never a value)
 * @category Acknowledgments
 */
export function read277(text: string): ClaimStatusReport[] {
  const out: ClaimStatusReport[] = [];
  const tok = new X12Tokenizer();
  const parser = new Parser277(() => tok.delims!, (r) => out.push(r));
  for (const s of [...tok.push(text), ...tok.end()]) parser.segment(s);
  if (!tok.delims) throw new X12ParseError('input does not start with an ISA segment', 1);
  parser.finish();
  return out;
}

/**
 * Stream a 277 (277CA or claim status response) transaction set by transaction set from a Node Readable, a web stream or
 * any (async) iterable of text or bytes. Memory holds one transaction set plus one partial segment.
 *
 * Spec: as {@link read277}, with the same checks.
 *
 * @param source - a Node Readable, a web stream or any (async) iterable of text or bytes
 * @returns an async generator of one report per transaction set
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { read277Stream } from '@peer-fhir/x12';
 * for await (const report of read277Stream(createReadStream('status.277'))) console.log(report.claims.length);
 * ```
 * @throws {@link X12ParseError} when the file is not a well-formed 5010 277
 * @category Acknowledgments
 */
export async function* read277Stream(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): AsyncGenerator<ClaimStatusReport, void, undefined> {
  const tok = new X12Tokenizer();
  const decoder = new TextDecoder('utf-8');
  const ready: ClaimStatusReport[] = [];
  const parser = new Parser277(() => tok.delims!, (r) => ready.push(r));
  for await (const chunk of source) {
    for (const s of tok.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))) parser.segment(s);
    for (let next = ready.shift(); next !== undefined; next = ready.shift()) yield next;
  }
  for (const s of [...tok.push(decoder.decode()), ...tok.end()]) parser.segment(s);
  if (!tok.delims) throw new X12ParseError('input does not start with an ISA segment', 1);
  for (let next = ready.shift(); next !== undefined; next = ready.shift()) yield next;
  parser.finish();
}
