import { X12ParseError } from '../errors.js';
import { d8ToFhirDate } from '../internal/format.js';
import { X12Tokenizer, el, type RawSegment } from '../internal/tokenizer.js';
import type { Delimiters } from '../internal/segment.js';
import { describe, ELIGIBILITY_CODE_TEXT, ENTITY_TEXT, FOLLOW_UP_TEXT, REJECT_REASON_TEXT } from './codes.js';
import { X12ResponseParseError } from './errors.js';
import type { BenefitEntity, DateRange, EligibilityBenefit, EligibilityRejection, EligibilityResponseSet, EligibilitySubscriber } from './types.js';

type Loop = 'none' | '2000A' | '2100A' | '2000B' | '2100B' | '2000C' | '2100C' | '2110C' | '2120C' | '2000D';

/** Segments a 271 may carry inside ST..SE (X279A1); anything else is an error at its position. */
const SEGMENTS_271 = new Set('BHT HL TRN NM1 REF N3 N4 PER PRV DMG INS HI DTP MPI EB HSD AAA MSG III LS LE'.split(' '));

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
type SetDraft = Mutable<EligibilityResponseSet> & { subscribers: Mutable<EligibilitySubscriber>[] };
type SubscriberDraft = Mutable<EligibilitySubscriber> & { benefits: BenefitDraft[] };
type BenefitDraft = Mutable<EligibilityBenefit>;

/**
 * Segment-at-a-time 271 state machine: holds one transaction set, hands it to `emit` at its SE.
 * Checks the envelope counts (SE01, GE01, IEA01) and control numbers; errors name positions, never values.
 */
class Parser271 {
  private loop: Loop = 'none';
  private set: SetDraft | undefined;
  private sub: SubscriberDraft | undefined;
  private benefit: BenefitDraft | undefined;
  private inGroup = false;
  private isaControl = '';
  private gsControl = '';
  private groups = 0;
  private setsInGroup = 0;
  private segmentsInSet = 0;
  private ended = false;
  private started = false;

  constructor(
    private readonly delims: () => Delimiters,
    private readonly emit: (set: EligibilityResponseSet) => void,
  ) {}

  segment(s: RawSegment): void {
    const fail = (message: string): never => {
      throw new X12ResponseParseError(message, s.index, s.id);
    };
    if (this.ended) fail('segment after IEA');
    if (this.set) this.segmentsInSet++;
    if (this.envelope(s, fail)) return;
    const set = this.set ?? fail('segment outside a transaction set');
    if (!SEGMENTS_271.has(s.id)) fail('segment is not part of a 271');
    if (this.loop === '2000D' && s.id !== 'HL') return; // dependent answers are counted, not read
    this.body(s, set, fail);
  }

  /**
   * The envelope: one ISA per file, HB functional groups of 271 sets, and trailers whose counts and control numbers
   * match their headers (GE01/GE02, SE01/SE02, IEA01/IEA02). Returns false for a segment inside a set.
   */
  private envelope(s: RawSegment, fail: (m: string) => never): boolean {
    switch (s.id) {
      case 'ISA':
        if (this.started) fail('second ISA: one interchange per file');
        this.started = true;
        this.isaControl = el(s, 13);
        return true;
      case 'GS':
        if (!this.started) fail('GS before ISA');
        if (this.inGroup) fail('GS inside an open functional group');
        if (el(s, 1) !== 'HB') fail('functional group is not HB (271 eligibility, coverage or benefit information)');
        this.inGroup = true;
        this.gsControl = el(s, 6);
        this.setsInGroup = 0;
        this.groups++;
        return true;
      case 'GE':
        if (!this.inGroup || this.set) fail('GE without an open functional group');
        if (Number(el(s, 1)) !== this.setsInGroup) fail('GE01 does not match the number of transaction sets');
        if (el(s, 2) !== this.gsControl) fail('GE02 does not match GS06');
        this.inGroup = false;
        return true;
      case 'IEA':
        if (this.inGroup) fail('IEA inside an open functional group');
        if (Number(el(s, 1)) !== this.groups) fail('IEA01 does not match the number of functional groups');
        if (el(s, 2) !== this.isaControl) fail('IEA02 does not match ISA13');
        this.ended = true;
        return true;
      case 'ST':
        this.openSet(s, fail);
        return true;
      case 'SE': {
        const set = this.set ?? fail('SE without ST');
        if (Number(el(s, 1)) !== this.segmentsInSet) fail('SE01 does not match the number of segments in the transaction set');
        if (el(s, 2) !== set.controlNumber) fail('SE02 does not match ST02');
        this.set = undefined;
        this.setsInGroup++;
        this.emit(set);
        return true;
      }
      default:
        return false;
    }
  }

  /** ST: a 271 set opens inside a functional group, with no subscriber or benefit loop open. */
  private openSet(s: RawSegment, fail: (m: string) => never): void {
    if (!this.inGroup) fail('ST outside a functional group');
    if (this.set) fail('ST inside an open transaction set');
    if (el(s, 1) !== '271') fail('transaction set is not a 271');
    this.set = {
      controlNumber: el(s, 2),
      reference: '',
      payer: {},
      receiver: {},
      rejections: [],
      subscribers: [],
      dependentsSkipped: 0,
      segmentIndex: s.index,
    };
    this.segmentsInSet = 1;
    this.loop = 'none';
    this.sub = undefined;
    this.benefit = undefined;
  }

  /** A segment inside a 271 set, by id; each loop-dependent one checks it stands in its loop. */
  private body(s: RawSegment, set: SetDraft, fail: (m: string) => never): void {
    switch (s.id) {
      case 'BHT':
        if (el(s, 1) !== '0022') fail('BHT01 is not 0022');
        if (el(s, 2) !== '11' && el(s, 2) !== '06') fail('BHT02 is not 11 (response) or 06 (confirmation)');
        set.reference = el(s, 3);
        set.created = this.date(el(s, 4), s, 'BHT04');
        return;
      case 'HL':
        return this.hl(s, set, fail);
      case 'NM1':
        return this.nm1(s, set, fail);
      case 'AAA':
        return this.aaa(s, set, fail);
      case 'TRN':
        return this.trn(s, fail);
      case 'DMG':
        return this.dmg(s, fail);
      case 'REF':
        return this.ref(s, fail);
      case 'DTP':
        return this.dtp(s, fail);
      case 'EB':
        return this.eb(s, fail);
      case 'LS':
        if (this.loop !== '2110C') fail('LS outside 2110C');
        this.loop = '2120C';
        return;
      case 'LE':
        if (this.loop !== '2120C') fail('LE without LS');
        this.loop = '2110C';
        return;
      default:
        // N3 N4 PER PRV INS HI MPI HSD MSG III: addresses, contacts and free text are not needed and not kept
        return;
    }
  }

  /** 2000C TRN: 2 = our trace echoed back, 1 = the payer's own trace. */
  private trn(s: RawSegment, fail: (m: string) => never): void {
    const sub = (this.loop === '2000C' ? this.sub : undefined) ?? fail('TRN outside a 2000C subscriber loop');
    if (el(s, 1) === '2') sub.traces.push(el(s, 2));
    else if (el(s, 1) === '1') sub.payerTraces.push(el(s, 2));
    else fail('TRN01 is not 1 or 2');
  }

  /** 2100C DMG: the subscriber's birth date (D8) and gender as the payer has them. */
  private dmg(s: RawSegment, fail: (m: string) => never): void {
    const sub = (this.loop === '2100C' ? this.sub : undefined) ?? fail('DMG outside 2100C');
    if (el(s, 1) === 'D8' && el(s, 2)) sub.birthDate = this.date(el(s, 2), s, 'DMG02');
    if (el(s, 3)) sub.gender = el(s, 3);
  }

  /** 2100C / 2110C REF: kept on the subscriber or the benefit, except a social security number (SY), never kept. */
  private ref(s: RawSegment, fail: (m: string) => never): void {
    const ref = { qualifier: el(s, 1), value: el(s, 2) };
    if (ref.qualifier === 'SY') return;
    if (this.loop === '2100C') (this.sub ?? fail('REF outside a subscriber')).references.push(ref);
    else if (this.loop === '2110C') (this.benefit ?? fail('REF outside a benefit')).references.push(ref);
  }

  finish(): void {
    if (!this.started) throw new X12ResponseParseError('input is empty');
    if (this.set) throw new X12ResponseParseError('transaction set without SE at end of input', this.set.segmentIndex, 'ST');
    if (!this.ended) throw new X12ResponseParseError('interchange without IEA at end of input');
  }

  private hl(s: RawSegment, set: SetDraft, fail: (m: string) => never): void {
    this.benefit = undefined;
    switch (el(s, 3)) {
      case '20':
        this.loop = '2000A';
        return;
      case '21':
        if (this.loop === 'none') fail('2000B before 2000A');
        this.loop = '2000B';
        return;
      case '22':
        if (this.loop === 'none' || this.loop === '2000A' || this.loop === '2100A') fail('2000C before 2000B');
        this.loop = '2000C';
        this.sub = { traces: [], payerTraces: [], references: [], benefits: [], rejections: [], segmentIndex: s.index };
        set.subscribers.push(this.sub);
        return;
      case '23':
        if (!this.sub) fail('2000D before 2000C');
        this.loop = '2000D';
        set.dependentsSkipped++;
        return;
      default:
        fail('HL03 is not 20, 21, 22 or 23');
    }
  }

  private nm1(s: RawSegment, set: SetDraft, fail: (m: string) => never): void {
    const party = {
      ...(el(s, 3) ? { name: el(s, 3) } : {}),
      ...(el(s, 8) ? { idQualifier: el(s, 8) } : {}),
      ...(el(s, 9) ? { id: el(s, 9) } : {}),
    };
    switch (this.loop) {
      case '2000A':
        set.payer = party;
        this.loop = '2100A';
        return;
      case '2000B':
        set.receiver = party;
        this.loop = '2100B';
        return;
      case '2000C': {
        if (el(s, 1) !== 'IL') fail('2100C NM101 is not IL');
        const sub = this.openSubscriber(fail);
        if (el(s, 3)) sub.last = el(s, 3);
        if (el(s, 4)) sub.first = el(s, 4);
        if (el(s, 5)) sub.middle = el(s, 5);
        if (el(s, 9)) sub.memberId = el(s, 9);
        this.loop = '2100C';
        return;
      }
      case '2120C': {
        const role = el(s, 1);
        const entity: BenefitEntity = {
          role,
          roleText: describe(ENTITY_TEXT, role, 'entity'),
          ...party,
          ...(el(s, 4) ? { firstName: el(s, 4) } : {}),
        };
        this.openBenefit(fail).entities.push(entity);
        return;
      }
      default:
        fail('NM1 not expected here');
    }
  }

  private aaa(s: RawSegment, set: SetDraft, fail: (m: string) => never): void {
    const loop = this.loop;
    if (loop !== '2000A' && loop !== '2100A' && loop !== '2100B' && loop !== '2100C' && loop !== '2110C') return fail('AAA not expected here');
    const code = el(s, 3);
    if (!code) fail('AAA03 reject reason is missing');
    const follow = el(s, 4);
    const r: EligibilityRejection = {
      loop,
      code,
      text: describe(REJECT_REASON_TEXT, code, 'reject reason'),
      ...(follow ? { followUp: follow, followUpText: describe(FOLLOW_UP_TEXT, follow, 'follow-up action') } : {}),
      segmentIndex: s.index,
    };
    if (loop === '2100C') this.openSubscriber(fail).rejections.push(r);
    else if (loop === '2110C') this.openBenefit(fail).rejections.push(r);
    else set.rejections.push(r);
  }

  private dtp(s: RawSegment, fail: (m: string) => never): void {
    const range = this.range(el(s, 2), el(s, 3), s);
    const q = el(s, 1);
    if (this.loop === '2100C') {
      const sub = this.openSubscriber(fail);
      // 291 plan, 346 plan begin, 347 plan end; 307 eligibility, 356 eligibility begin, 357 eligibility end
      if (q === '291') sub.planPeriod = range;
      else if (q === '346') sub.planPeriod = { ...sub.planPeriod, start: range.start };
      else if (q === '347') sub.planPeriod = { ...sub.planPeriod, end: range.start };
      else if (q === '307') sub.eligibilityPeriod = range;
      else if (q === '356') sub.eligibilityPeriod = { ...sub.eligibilityPeriod, start: range.start };
      else if (q === '357') sub.eligibilityPeriod = { ...sub.eligibilityPeriod, end: range.start };
      return;
    }
    if (this.loop === '2110C') {
      const b = this.openBenefit(fail);
      // 2110C: 291/292/307 ranges, 346/348/356 begin, 347/349/357 end (plan, benefit, eligibility)
      if (q === '291' || q === '292' || q === '307' || q === '435' || q === '472') b.period = range;
      else if (q === '346' || q === '348' || q === '356') b.period = { ...b.period, start: range.start };
      else if (q === '347' || q === '349' || q === '357') b.period = { ...b.period, end: range.start };
      return;
    }
    if (this.loop === '2120C') return; // entity dates (e.g. PCP assignment) are not kept
    fail('DTP not expected here');
  }

  private eb(s: RawSegment, fail: (m: string) => never): void {
    if (this.loop !== '2100C' && this.loop !== '2110C' && this.loop !== '2120C') fail('EB outside a 2000C subscriber loop');
    const code = el(s, 1);
    if (!code) fail('EB01 is missing');
    const d = this.delims();
    const amount = el(s, 7);
    const percent = el(s, 8);
    const [qualifier, procCode, ...modifiers] = el(s, 13) ? el(s, 13).split(d.component) : [];
    const yn = <T extends string>(v: string, allowed: readonly T[]): T | undefined => (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
    const num = (v: string, ref: string) => {
      const n = Number(v);
      return Number.isFinite(n) ? n : fail(`${ref} is not a number`);
    };
    const auth = yn(el(s, 11), ['Y', 'N', 'U'] as const);
    const net = yn(el(s, 12), ['Y', 'N', 'U', 'W'] as const);
    this.benefit = {
      code,
      text: describe(ELIGIBILITY_CODE_TEXT, code, 'eligibility or benefit code'),
      ...(el(s, 2) ? { coverageLevel: el(s, 2) } : {}),
      serviceTypes: el(s, 3) ? el(s, 3).split(d.repetition).filter((x) => x !== '') : [],
      ...(el(s, 4) ? { insuranceType: el(s, 4) } : {}),
      ...(el(s, 5) ? { planDescription: el(s, 5) } : {}),
      ...(el(s, 6) ? { timePeriod: el(s, 6) } : {}),
      ...(amount ? { amount: num(amount, 'EB07') } : {}),
      ...(percent ? { percent: num(percent, 'EB08') } : {}),
      ...(auth ? { authorizationRequired: auth } : {}),
      ...(net ? { inPlanNetwork: net } : {}),
      ...(qualifier !== undefined && procCode !== undefined ? { procedure: { qualifier, code: procCode, modifiers: modifiers.filter((m) => m !== '') } } : {}),
      references: [],
      entities: [],
      rejections: [],
    };
    this.openSubscriber(fail).benefits.push(this.benefit);
    this.loop = '2110C';
  }

  /** The open 2000C subscriber: every loop below 2000C has one. */
  private openSubscriber(fail: (m: string) => never): SubscriberDraft {
    return this.sub ?? fail('no open 2000C subscriber loop');
  }

  /** The open 2110C benefit: every 2110C/2120C segment has one. */
  private openBenefit(fail: (m: string) => never): BenefitDraft {
    return this.benefit ?? fail('no open 2110C benefit loop');
  }

  private date(v: string, s: RawSegment, ref: string): string {
    const d = /^\d{8}$/.test(v) ? d8ToFhirDate(v) : undefined;
    if (!d || Number.isNaN(Date.parse(d))) throw new X12ResponseParseError(`${ref} is not a CCYYMMDD date`, s.index, s.id);
    return d;
  }

  private range(format: string, v: string, s: RawSegment): Required<DateRange> {
    if (format === 'D8') {
      const d = this.date(v, s, 'DTP03');
      return { start: d, end: d };
    }
    if (format === 'RD8') {
      const [a, b, extra] = v.split('-');
      if (a === undefined || b === undefined || extra !== undefined) throw new X12ResponseParseError('DTP03 is not a CCYYMMDD-CCYYMMDD range', s.index, s.id);
      return { start: this.date(a, s, 'DTP03'), end: this.date(b, s, 'DTP03') };
    }
    throw new X12ResponseParseError('DTP02 is not D8 or RD8', s.index, s.id);
  }
}

/** Re-throw the tokenizer's envelope errors as the eligibility error class (same value-free message and position). */
function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof X12ParseError) throw new X12ResponseParseError(e.message.replace(/ \(segment \d+.*\)$/, ''), e.segmentIndex, e.segmentId);
    throw e;
  }
}

/**
 * Read an X12 271 005010X279A1 interchange into typed answers: one {@link EligibilityResponseSet} per ST..SE, one
 * {@link EligibilitySubscriber} per 2000C. Delimiters come from the ISA; SE01/SE02, GE01/GE02 and IEA01/IEA02 are
 * checked. Errors are {@link X12ResponseParseError}s naming the segment position, never element values.
 *
 * Spec: ASC X12N 270/271 005010X279A1 (2000A–2120C; AAA request validation at 2000A, 2100A, 2100B, 2100C, 2110C).
 *
 * @param text - the X12 271 interchange
 * @returns one answer per transaction set
 * @example
 * ```ts
 * import { read271 } from '@peer-fhir/x12';
 * declare const text: string;
 * for (const set of read271(text)) for (const s of set.subscribers) console.log(s.traces, s.benefits.map((b) => b.text));
 * ```
 * @throws {@link X12ResponseParseError} when the file is not a well-formed 271
 * @category Eligibility
 */
export function read271(text: string): EligibilityResponseSet[] {
  const out: EligibilityResponseSet[] = [];
  const tok = new X12Tokenizer();
  const parser = new Parser271(() => tok.delims!, (s) => out.push(s));
  wrap(() => {
    for (const s of tok.push(text)) parser.segment(s);
    for (const s of tok.end()) parser.segment(s);
  });
  parser.finish();
  return out;
}

/**
 * Stream a 271 transaction set by transaction set from a Node Readable, a web stream or any (async) iterable of text or
 * bytes. Memory holds one transaction set plus one partial segment.
 *
 * Spec: ASC X12N 270/271 005010X279A1; the same checks as {@link read271}.
 *
 * @param source - a Node Readable, a web stream or any (async) iterable of text or bytes
 * @returns an async generator of one answer per transaction set
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { read271Stream } from '@peer-fhir/x12';
 * for await (const set of read271Stream(createReadStream('roster.271'))) console.log(set.subscribers.length);
 * ```
 * @throws {@link X12ResponseParseError} when the file is not a well-formed 271
 * @category Eligibility
 */
export async function* read271Stream(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<EligibilityResponseSet, void, undefined> {
  const tok = new X12Tokenizer();
  const decoder = new TextDecoder('utf-8');
  const ready: EligibilityResponseSet[] = [];
  const parser = new Parser271(() => tok.delims!, (s) => ready.push(s));
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    wrap(() => {
      for (const s of tok.push(text)) parser.segment(s);
    });
    for (let next = ready.shift(); next !== undefined; next = ready.shift()) yield next;
  }
  const tail = decoder.decode();
  wrap(() => {
    for (const s of [...tok.push(tail), ...tok.end()]) parser.segment(s);
  });
  for (let next = ready.shift(); next !== undefined; next = ready.shift()) yield next;
  parser.finish();
}
