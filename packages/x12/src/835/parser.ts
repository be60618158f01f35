import { X12ParseError } from '../errors.js';
import { d8ToFhirDate, parseMoneyCents } from '../internal/format.js';
import type { Delimiters } from '../internal/segment.js';
import { el, type RawSegment } from '../internal/tokenizer.js';
import type { Adjustment, RemittanceClaim, RemittanceHeader, RemittanceLine } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
type LineDraft = Mutable<RemittanceLine>;
type ClaimDraft = Omit<Mutable<RemittanceClaim>, 'lines'> & { lines: LineDraft[] };
type HeaderDraft = {
  -readonly [K in keyof RemittanceHeader]: RemittanceHeader[K] extends object ? { -readonly [J in keyof RemittanceHeader[K]]: RemittanceHeader[K][J] } : RemittanceHeader[K];
};

const money = (v: string) => parseMoneyCents(v) / 100;

/** Events the streaming 835 parser emits. */
export interface Parser835Events {
  claim(header: RemittanceHeader, claim: RemittanceClaim): void;
  transactionEnd(header: RemittanceHeader, providerAdjustmentTotal: number): void;
}

/**
 * State machine over 835 segments (005010X221A1). Emits a claim as soon as the next CLP, LX, PLB or SE
 * closes it, so memory holds one claim at a time. Checks SE01, GE01 and IEA01 counts.
 */
export class Parser835 {
  private header: HeaderDraft | undefined;
  private claim: ClaimDraft | undefined;
  private line: LineDraft | undefined;
  private n1: 'PR' | 'PE' | undefined;
  private stIndex = 0;
  private stControl = '';
  private stCount = 0;
  private gsControl = '';
  private gsSeen = 0;
  private isaControl = '';
  private plbCents = 0;
  private sawIsa = false;
  private snapshot: RemittanceHeader | undefined;
  done = false;

  constructor(
    private readonly delimiters: () => Delimiters,
    private readonly on: Parser835Events,
  ) {}

  segment(s: RawSegment): void {
    const d = this.delimiters();
    switch (s.id) {
      case 'ISA':
        this.sawIsa = true;
        this.isaControl = el(s, 13);
        this.gsSeen = 0;
        return;
      case 'GS':
        if (el(s, 1) !== 'HP') throw new X12ParseError('functional group is not HP (health care claim payment/advice)', s.index, s.id);
        this.gsControl = el(s, 6);
        this.stCount = 0;
        this.gsSeen++;
        return;
      case 'ST':
        if (el(s, 1) !== '835') throw new X12ParseError('transaction set is not 835', s.index, s.id);
        this.stIndex = s.index;
        this.stControl = el(s, 2);
        this.plbCents = 0;
        this.snapshot = undefined;
        this.header = {
          transactionControlNumber: this.stControl,
          payment: { handlingCode: '', amount: 0, creditDebit: '', method: '' },
          trace: { number: '' },
          payer: { name: '' },
          payee: { name: '' },
        };
        return;
      case 'SE': {
        this.flushClaim();
        const expected = s.index - this.stIndex + 1;
        if (Number(el(s, 1)) !== expected) throw new X12ParseError(`SE01 segment count does not match (expected ${expected})`, s.index, s.id);
        if (el(s, 2) !== this.stControl) throw new X12ParseError('SE02 does not match ST02', s.index, s.id);
        if (!this.header) throw new X12ParseError('SE without ST', s.index, s.id);
        this.on.transactionEnd(this.header as RemittanceHeader, this.plbCents / 100);
        this.header = undefined;
        this.stCount++;
        return;
      }
      case 'GE':
        if (Number(el(s, 1)) !== this.stCount) throw new X12ParseError('GE01 does not match the number of transaction sets', s.index, s.id);
        if (el(s, 2) !== this.gsControl) throw new X12ParseError('GE02 does not match GS06', s.index, s.id);
        return;
      case 'IEA':
        if (Number(el(s, 1)) !== this.gsSeen) throw new X12ParseError('IEA01 does not match the number of functional groups', s.index, s.id);
        if (Number(el(s, 2)) !== Number(this.isaControl)) throw new X12ParseError('IEA02 does not match ISA13', s.index, s.id);
        this.done = true;
        return;
    }
    if (!this.sawIsa) throw new X12ParseError('segment before ISA', s.index, s.id);
    const h = this.header;
    if (!h) throw new X12ParseError('segment outside ST..SE', s.index, s.id);
    switch (s.id) {
      case 'BPR': // 835 BPR financial information
        h.payment = {
          handlingCode: el(s, 1),
          amount: money(el(s, 2)),
          creditDebit: el(s, 3),
          method: el(s, 4),
          ...(d8ToFhirDate(el(s, 16)) ? { date: d8ToFhirDate(el(s, 16))! } : {}),
        };
        return;
      case 'TRN': // reassociation trace number
        h.trace = { number: el(s, 2), ...(el(s, 3) ? { originator: el(s, 3) } : {}) };
        return;
      case 'DTM': {
        const date = d8ToFhirDate(el(s, 2));
        if (this.line) {
          // 2110 DTM*472 service date, 150/151 period start/end
          if (el(s, 1) === '472' || el(s, 1) === '150') this.line.serviceDate = date;
          else if (el(s, 1) === '151') this.line.serviceDateEnd = date;
        } else if (!this.claim && el(s, 1) === '405' && date) {
          h.productionDate = date;
        }
        return;
      }
      case 'N1': // 1000A payer / 1000B payee
        if (el(s, 1) === 'PR') {
          this.n1 = 'PR';
          h.payer = { name: el(s, 2), ...(el(s, 4) ? { id: el(s, 4) } : {}) };
        } else if (el(s, 1) === 'PE') {
          this.n1 = 'PE';
          h.payee = { name: el(s, 2), ...(el(s, 3) === 'XX' && el(s, 4) ? { npi: el(s, 4) } : {}), ...(el(s, 3) === 'FI' ? { taxId: el(s, 4) } : {}) };
        }
        return;
      case 'REF':
        if (this.line) {
          if (el(s, 1) === '6R') this.line.lineControlNumber = el(s, 2); // 2110 REF*6R
        } else if (!this.claim) {
          if (this.n1 === 'PR' && el(s, 1) === '2U') h.payer = { ...h.payer, id: el(s, 2) };
          if (this.n1 === 'PE' && el(s, 1) === 'TJ') h.payee = { ...h.payee, taxId: el(s, 2) };
        }
        return;
      case 'LX':
        this.flushClaim();
        return;
      case 'CLP': {
        // 2100 CLP
        this.flushClaim();
        this.claim = {
          patientControlNumber: el(s, 1),
          status: el(s, 2),
          chargeAmount: money(el(s, 3)),
          paidAmount: money(el(s, 4)),
          patientResponsibility: money(el(s, 5)),
          filingIndicator: el(s, 6),
          ...(el(s, 7) ? { payerClaimControlNumber: el(s, 7) } : {}),
          ...(el(s, 8) ? { facilityCode: el(s, 8) } : {}),
          ...(el(s, 9) ? { frequency: el(s, 9) } : {}),
          adjustments: [],
          lines: [],
        };
        return;
      }
      case 'NM1':
        if (this.claim && !this.line && el(s, 1) === 'QC') {
          this.claim.patient = {
            ...(el(s, 3) ? { lastName: el(s, 3) } : {}),
            ...(el(s, 4) ? { firstName: el(s, 4) } : {}),
            ...(el(s, 9) ? { memberId: el(s, 9) } : {}),
          };
        }
        return;
      case 'CAS': {
        if (!this.claim) throw new X12ParseError('CAS outside a claim', s.index, s.id);
        const target = this.line ? this.line.adjustments : this.claim.adjustments;
        // CAS01 group, then up to 6 triplets reason / amount / quantity
        for (let i = 2; i <= 17; i += 3) {
          const reason = el(s, i);
          if (!reason) continue;
          const q = el(s, i + 2);
          const adj: Adjustment = { group: el(s, 1), reason, amount: money(el(s, i + 1)), ...(q ? { quantity: Number(q) } : {}) };
          target.push(adj);
        }
        return;
      }
      case 'SVC': {
        // 2110 SVC
        if (!this.claim) throw new X12ParseError('SVC outside a claim', s.index, s.id);
        const comp = el(s, 1).split(d.component);
        this.line = {
          procedureQualifier: comp[0] ?? '',
          procedure: comp[1] ?? '',
          modifiers: comp.slice(2, 6).filter((m) => m !== ''),
          chargeAmount: money(el(s, 2)),
          paidAmount: money(el(s, 3)),
          ...(el(s, 5) ? { unitsPaid: Number(el(s, 5)) } : {}),
          ...(el(s, 7) ? { originalUnits: Number(el(s, 7)) } : {}),
          adjustments: [],
          remarks: [],
        };
        this.claim.lines.push(this.line);
        return;
      }
      case 'AMT':
        if (this.line && el(s, 1) === 'B6') this.line.allowedAmount = money(el(s, 2)); // 2110 AMT*B6 allowed
        return;
      case 'LQ':
        if (this.line && el(s, 1) === 'HE') this.line.remarks.push(el(s, 2)); // 2110 LQ*HE RARC
        return;
      case 'PLB': {
        this.flushClaim();
        // PLB03-1 reason / PLB04 amount pairs (positive = withheld from payment)
        for (let i = 4; i <= 14; i += 2) this.plbCents += parseMoneyCents(el(s, i));
        return;
      }
      default:
        return;
    }
  }

  /** Check the interchange was closed. */
  finish(): void {
    if (this.header) throw new X12ParseError('input ended inside a transaction set (missing SE)');
    if (!this.done) throw new X12ParseError('input ended without IEA');
  }

  private flushClaim(): void {
    if (this.claim && this.header) {
      // header segments all precede the first CLP, so one copy serves every claim of the transaction
      this.snapshot ??= structuredClone(this.header) as RemittanceHeader;
      this.on.claim(this.snapshot, this.claim as RemittanceClaim);
    }
    this.claim = undefined;
    this.line = undefined;
  }
}
