import { X12AmountError, X12ParseError, X12UnbalancedError, X12VersionError } from '../errors.js';
import { d8ToFhirDate } from '../internal/format.js';
import type { Delimiters } from '../internal/segment.js';
import { el, type RawSegment } from '../internal/tokenizer.js';
import type { Adjustment, ProviderAdjustment, RemittanceClaim, RemittanceHeader, RemittanceLine } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
type LineDraft = Mutable<RemittanceLine>;
type ClaimDraft = Omit<Mutable<RemittanceClaim>, 'lines'> & { lines: LineDraft[] };
type HeaderDraft = {
  -readonly [K in keyof RemittanceHeader]: RemittanceHeader[K] extends object ? { -readonly [J in keyof RemittanceHeader[K]]: RemittanceHeader[K][J] } : RemittanceHeader[K];
};

// X12 `R` (decimal): optional minus, digits with an optional decimal point; no exponent, no sign `+`, no spaces.
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
// Monetary amounts carry at most two decimal places (cents); 005010 TR3s limit amounts to 18 characters.
const MONEY = /^-?(?:\d+(?:\.\d{0,2})?|\.\d{1,2})$/;

const elementName = (s: RawSegment, n: number) => `${s.id}${String(n).padStart(2, '0')}`;

/** Element `n` of `s` as integer cents; a missing optional element is 0; anything not a money `R` value refuses the file. */
function cents(s: RawSegment, n: number, required = false): number {
  const v = el(s, n);
  if (v === '') {
    if (required) throw new X12AmountError(`${elementName(s, n)} is required`, s.index, s.id, elementName(s, n));
    return 0;
  }
  const digits = v.replace(/[-.]/g, '');
  if (!MONEY.test(v) || digits.length > 18) {
    throw new X12AmountError(`${elementName(s, n)} is not a monetary amount (decimal with at most 2 decimal places)`, s.index, s.id, elementName(s, n));
  }
  return Math.round(Number(v) * 100);
}

/** Element `n` of `s` as a quantity, or undefined when empty; anything not an `R` value refuses the file. */
function quantity(s: RawSegment, n: number): number | undefined {
  const v = el(s, n);
  if (v === '') return undefined;
  if (!DECIMAL.test(v) || v.length > 15) throw new X12AmountError(`${elementName(s, n)} is not a decimal number`, s.index, s.id, elementName(s, n));
  return Number(v);
}

/** Events the streaming 835 parser emits. */
export interface Parser835Events {
  claim(header: RemittanceHeader, claim: RemittanceClaim): void;
  transactionEnd(header: RemittanceHeader, providerAdjustments: readonly ProviderAdjustment[]): void;
}

/**
 * State machine over 835 segments (005010X221A1). Emits a claim as soon as the next CLP, LX, PLB or SE
 * closes it, so memory holds one claim at a time. Checks SE01, GE01 and IEA01 counts, the 5010 version, every
 * amount, and the three balancing rules (line, claim, transaction); any failure throws before the unit is emitted.
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
  private plb: ProviderAdjustment[] = [];
  private sawIsa = false;
  private snapshot: RemittanceHeader | undefined;
  // Balancing state, in integer cents (005010X221A1 1.10.2.1).
  private bprCents = 0;
  private bprIndex = 0;
  private clpPaidCents = 0;
  private plbCents = 0;
  private claimIndex = 0;
  private claimBalance = 0; // CLP03 - CLP04 - all CAS of the claim
  private lineIndex = 0;
  private lineBalance = 0; // SVC02 - SVC03 - CAS of the line
  done = false;

  constructor(
    private readonly delimiters: () => Delimiters,
    private readonly on: Parser835Events,
  ) {}

  /** Read one segment: the envelope (ISA..IEA, ST..SE) checks counts and versions; the rest fills the drafts. */
  segment(s: RawSegment): void {
    if (this.envelopeSegment(s)) return;
    if (!this.sawIsa) throw new X12ParseError('segment before ISA', s.index, s.id);
    const h = this.header;
    if (!h) throw new X12ParseError('segment outside ST..SE', s.index, s.id);
    this.bodySegment(s, h);
  }

  /** ISA, GS, ST, SE, GE, IEA: true when `s` was one of them. */
  private envelopeSegment(s: RawSegment): boolean {
    switch (s.id) {
      case 'ISA':
        this.readIsa(s);
        return true;
      case 'GS':
        this.readGs(s);
        return true;
      case 'ST':
        this.readSt(s);
        return true;
      case 'SE':
        this.readSe(s);
        return true;
      case 'GE':
        this.readGe(s);
        return true;
      case 'IEA':
        this.readIea(s);
        return true;
      default:
        return false;
    }
  }

  /** A segment inside ST..SE; segments the 835 reader does not keep are skipped. */
  private bodySegment(s: RawSegment, h: HeaderDraft): void {
    switch (s.id) {
      case 'BPR':
        return this.readBpr(s, h);
      case 'TRN':
        return this.readTrn(s, h);
      case 'DTM':
        return this.readDtm(s, h);
      case 'N1':
        return this.readN1(s, h);
      case 'REF':
        return this.readRef(s, h);
      case 'LX':
        return this.readLx();
      case 'CLP':
        return this.readClp(s);
      case 'NM1':
        return this.readNm1(s);
      case 'CAS':
        return this.readCas(s);
      case 'SVC':
        return this.readSvc(s);
      case 'AMT':
        return this.readAmt(s);
      case 'LQ':
        return this.readLq(s);
      case 'PLB':
        return this.readPlb(s);
      default:
        return;
    }
  }

  /** ISA: interchange header; only version 5010 (ISA12 00501) is read. */
  private readIsa(s: RawSegment): void {
    // ISA12 interchange control version: 00501 for 5010; a 4010 (00401) 835 has other loops and codes
    if (el(s, 12) !== '00501') throw new X12VersionError('interchange is not X12 version 5010 (ISA12 must be 00501)', s.index, s.id, 'ISA12');
    this.sawIsa = true;
    this.isaControl = el(s, 13);
    this.gsSeen = 0;
  }

  /** GS: functional group header; HP, 005010X221(A1). */
  private readGs(s: RawSegment): void {
    if (el(s, 1) !== 'HP') throw new X12ParseError('functional group is not HP (health care claim payment/advice)', s.index, s.id, 'GS01');
    // GS08 version / release / industry identifier: 005010X221A1 (005010X221 accepted: the errata changed no loop)
    if (!/^005010X221(A1)?$/.test(el(s, 8))) throw new X12VersionError('functional group is not 835 005010X221A1 (GS08)', s.index, s.id, 'GS08');
    this.gsControl = el(s, 6);
    this.stCount = 0;
    this.gsSeen++;
  }

  /** ST: a new 835 transaction set; resets the balancing totals. */
  private readSt(s: RawSegment): void {
    if (el(s, 1) !== '835') throw new X12ParseError('transaction set is not 835', s.index, s.id, 'ST01');
    if (el(s, 3) !== '' && !/^005010X221(A1)?$/.test(el(s, 3))) throw new X12VersionError('transaction set is not 835 005010X221A1 (ST03)', s.index, s.id, 'ST03');
    this.stIndex = s.index;
    this.stControl = el(s, 2);
    this.plb = [];
    this.snapshot = undefined;
    this.bprCents = 0;
    this.bprIndex = 0;
    this.clpPaidCents = 0;
    this.plbCents = 0;
    this.header = {
      transactionControlNumber: this.stControl,
      payment: { handlingCode: '', amount: 0, creditDebit: '', method: '' },
      trace: { number: '' },
      payer: { name: '' },
      payee: { name: '' },
    };
  }

  /** SE: transaction set trailer; checks SE01/SE02 and that BPR02 balances (1.10.2.1.3). */
  private readSe(s: RawSegment): void {
    this.flushClaim();
    const expected = s.index - this.stIndex + 1;
    if (Number(el(s, 1)) !== expected) throw new X12ParseError(`SE01 segment count does not match (expected ${expected})`, s.index, s.id, 'SE01');
    if (el(s, 2) !== this.stControl) throw new X12ParseError('SE02 does not match ST02', s.index, s.id, 'SE02');
    if (!this.header) throw new X12ParseError('SE without ST', s.index, s.id);
    if (!this.bprIndex) throw new X12ParseError('835 transaction set has no BPR', s.index, s.id);
    // 1.10.2.1.3: BPR02 = sum of CLP04 - sum of PLB04..; BPR03 D (debit) moves money from the payee
    const bpr = this.header.payment.creditDebit === 'D' ? -this.bprCents : this.bprCents;
    if (bpr !== this.clpPaidCents - this.plbCents) throw new X12UnbalancedError('transaction', this.bprIndex, 'BPR');
    this.on.transactionEnd(this.header as RemittanceHeader, this.plb);
    this.header = undefined;
    this.stCount++;
  }

  /** GE: functional group trailer; checks GE01/GE02. */
  private readGe(s: RawSegment): void {
    if (Number(el(s, 1)) !== this.stCount) throw new X12ParseError('GE01 does not match the number of transaction sets', s.index, s.id, 'GE01');
    if (el(s, 2) !== this.gsControl) throw new X12ParseError('GE02 does not match GS06', s.index, s.id, 'GE02');
  }

  /** IEA: interchange trailer; checks IEA01/IEA02. */
  private readIea(s: RawSegment): void {
    if (Number(el(s, 1)) !== this.gsSeen) throw new X12ParseError('IEA01 does not match the number of functional groups', s.index, s.id, 'IEA01');
    if (Number(el(s, 2)) !== Number(this.isaControl)) throw new X12ParseError('IEA02 does not match ISA13', s.index, s.id, 'IEA02');
    this.done = true;
  }

  /** BPR: financial information (BPR02 total actual provider payment). */
  private readBpr(s: RawSegment, h: HeaderDraft): void {
    // 835 BPR financial information; BPR02 total actual provider payment
    this.bprCents = cents(s, 2, true);
    this.bprIndex = s.index;
    const date = d8ToFhirDate(el(s, 16));
    h.payment = {
      handlingCode: el(s, 1),
      amount: this.bprCents / 100,
      creditDebit: el(s, 3),
      method: el(s, 4),
      ...(date ? { date } : {}),
    };
  }

  /** TRN: reassociation trace number */
  private readTrn(s: RawSegment, h: HeaderDraft): void {
    h.trace = { number: el(s, 2), ...(el(s, 3) ? { originator: el(s, 3) } : {}) };
  }

  /** DTM: a date of the line (2110), the claim (2100) or the production date (DTM*405). */
  private readDtm(s: RawSegment, h: HeaderDraft): void {
    const date = d8ToFhirDate(el(s, 2));
    if (this.line) {
      // 2110 DTM*472 service date, 150/151 period start/end
      if (el(s, 1) === '472' || el(s, 1) === '150') this.line.serviceDate = date;
      else if (el(s, 1) === '151') this.line.serviceDateEnd = date;
    } else if (this.claim) {
      // 2100 DTM*232/233 claim statement period start/end
      if (el(s, 1) === '232' && date) this.claim.statementFrom = date;
      else if (el(s, 1) === '233' && date) this.claim.statementTo = date;
    } else if (el(s, 1) === '405' && date) {
      h.productionDate = date;
    }
  }

  /** N1: 1000A payer / 1000B payee */
  private readN1(s: RawSegment, h: HeaderDraft): void {
    if (el(s, 1) === 'PR') {
      this.n1 = 'PR';
      h.payer = { name: el(s, 2), ...(el(s, 4) ? { id: el(s, 4) } : {}) };
    } else if (el(s, 1) === 'PE') {
      this.n1 = 'PE';
      h.payee = { name: el(s, 2), ...(el(s, 3) === 'XX' && el(s, 4) ? { npi: el(s, 4) } : {}), ...(el(s, 3) === 'FI' ? { taxId: el(s, 4) } : {}) };
    }
  }

  /** REF: line control number (2110 REF*6R), payer id (REF*2U), payee tax id (REF*TJ). */
  private readRef(s: RawSegment, h: HeaderDraft): void {
    if (this.line) {
      if (el(s, 1) === '6R') this.line.lineControlNumber = el(s, 2); // 2110 REF*6R
    } else if (!this.claim) {
      if (this.n1 === 'PR' && el(s, 1) === '2U') h.payer = { ...h.payer, id: el(s, 2) };
      if (this.n1 === 'PE' && el(s, 1) === 'TJ') h.payee = { ...h.payee, taxId: el(s, 2) };
    }
  }

  /** LX: a new header number group; closes the claim before it. */
  private readLx(): void {
    this.flushClaim();
  }

  /** CLP: a new claim payment (2100). */
  private readClp(s: RawSegment): void {
    // 2100 CLP: CLP03 charge, CLP04 paid (required, may be 0 or negative), CLP05 patient responsibility
    this.flushClaim();
    const charge = cents(s, 3, true);
    const paid = cents(s, 4, true);
    const pr = cents(s, 5);
    this.clpPaidCents += paid;
    this.claimIndex = s.index;
    this.claimBalance = charge - paid;
    this.claim = {
      patientControlNumber: el(s, 1),
      status: el(s, 2),
      chargeAmount: charge / 100,
      paidAmount: paid / 100,
      patientResponsibility: pr / 100,
      filingIndicator: el(s, 6),
      ...(el(s, 7) ? { payerClaimControlNumber: el(s, 7) } : {}),
      ...(el(s, 8) ? { facilityCode: el(s, 8) } : {}),
      ...(el(s, 9) ? { frequency: el(s, 9) } : {}),
      adjustments: [],
      lines: [],
    };
  }

  /** NM1*QC: the patient of the claim. */
  private readNm1(s: RawSegment): void {
    if (this.claim && !this.line && el(s, 1) === 'QC') {
      this.claim.patient = {
        ...(el(s, 3) ? { lastName: el(s, 3) } : {}),
        ...(el(s, 4) ? { firstName: el(s, 4) } : {}),
        ...(el(s, 9) ? { memberId: el(s, 9) } : {}),
      };
    }
  }

  /** CAS: claim or line adjustments (group, then up to 6 reason / amount / quantity triplets). */
  private readCas(s: RawSegment): void {
    if (!this.claim) throw new X12ParseError('CAS outside a claim', s.index, s.id);
    const target = this.line ? this.line.adjustments : this.claim.adjustments;
    // CAS01 group, then up to 6 triplets reason / amount / quantity
    for (let i = 2; i <= 17; i += 3) {
      const reason = el(s, i);
      if (!reason) {
        if (el(s, i + 1) !== '') throw new X12AmountError(`${elementName(s, i + 1)} has an amount without a reason code`, s.index, s.id, elementName(s, i + 1));
        continue;
      }
      const amount = cents(s, i + 1, true);
      const q = quantity(s, i + 2);
      this.claimBalance -= amount;
      if (this.line) this.lineBalance -= amount;
      const adj: Adjustment = { group: el(s, 1), reason, amount: amount / 100, ...(q !== undefined ? { quantity: q } : {}) };
      target.push(adj);
    }
  }

  /** SVC: a new service line payment (2110). */
  private readSvc(s: RawSegment): void {
    const d = this.delimiters();
    // 2110 SVC
    if (!this.claim) throw new X12ParseError('SVC outside a claim', s.index, s.id);
    this.flushLine();
    const comp = el(s, 1).split(d.component);
    const charge = cents(s, 2, true);
    const paid = cents(s, 3, true);
    const unitsPaid = quantity(s, 5);
    const originalUnits = quantity(s, 7);
    this.lineIndex = s.index;
    this.lineBalance = charge - paid;
    this.line = {
      procedureQualifier: comp[0] ?? '',
      procedure: comp[1] ?? '',
      modifiers: comp.slice(2, 6).filter((m) => m !== ''),
      chargeAmount: charge / 100,
      paidAmount: paid / 100,
      ...(unitsPaid !== undefined ? { unitsPaid } : {}),
      ...(originalUnits !== undefined ? { originalUnits } : {}),
      adjustments: [],
      remarks: [],
    };
    this.claim.lines.push(this.line);
  }

  /** AMT: amounts; AMT*B6 of a line is the allowed amount, every amount is checked. */
  private readAmt(s: RawSegment): void {
    if (this.line && el(s, 1) === 'B6') this.line.allowedAmount = cents(s, 2, true) / 100; // 2110 AMT*B6 allowed
    else cents(s, 2); // every amount is checked, even the ones not kept
  }

  /** LQ*HE: a remark code (RARC) of the line. */
  private readLq(s: RawSegment): void {
    if (this.line && el(s, 1) === 'HE') this.line.remarks.push(el(s, 2)); // 2110 LQ*HE RARC
  }

  /** PLB: provider-level adjustments. */
  private readPlb(s: RawSegment): void {
    const d = this.delimiters();
    this.flushClaim();
    // PLB01 provider id, PLB02 fiscal period date, then up to 6 pairs: PLB03 composite (reason:reference) / PLB04 amount.
    // A positive amount is withheld from the payment (e.g. WO overpayment recovery), a negative one adds to it
    // (e.g. L6 interest), so BPR02 = sum of CLP04 - sum of PLB amounts (1.10.2.1.3).
    const fiscalPeriodDate = d8ToFhirDate(el(s, 2));
    for (let i = 3; i <= 13; i += 2) {
      const id = el(s, i);
      if (!id) {
        if (el(s, i + 1) !== '') throw new X12AmountError(`${elementName(s, i + 1)} has an amount without a reason`, s.index, s.id, elementName(s, i + 1));
        continue;
      }
      const amount = cents(s, i + 1, true);
      const [reason = '', ...ref] = id.split(d.component);
      this.plbCents += amount;
      this.plb.push({
        providerId: el(s, 1),
        ...(fiscalPeriodDate ? { fiscalPeriodDate } : {}),
        reason,
        ...(ref.join(d.component) ? { reference: ref.join(d.component) } : {}),
        amount: amount / 100,
      });
    }
  }

  /** Check the interchange was closed. */
  finish(): void {
    if (this.header) throw new X12ParseError('input ended inside a transaction set (missing SE)');
    if (!this.done) throw new X12ParseError('input ended without IEA');
  }

  private flushLine(): void {
    // 1.10.2.1.1: SVC02 - SVC03 = the line's CAS amounts
    if (this.line && this.lineBalance !== 0) throw new X12UnbalancedError('line', this.lineIndex, 'SVC');
    this.line = undefined;
  }

  private flushClaim(): void {
    this.flushLine();
    if (this.claim && this.header) {
      // 1.10.2.1.2: CLP03 - CLP04 = claim-level CAS + every line's CAS
      if (this.claimBalance !== 0) throw new X12UnbalancedError('claim', this.claimIndex, 'CLP');
      // header segments all precede the first CLP, so one copy serves every claim of the transaction
      this.snapshot ??= structuredClone(this.header) as RemittanceHeader;
      this.on.claim(this.snapshot, this.claim as RemittanceClaim);
    }
    this.claim = undefined;
    this.line = undefined;
  }
}
