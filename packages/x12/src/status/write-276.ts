import type { Claim, Identifier } from 'fhir/r4.js';
import { formatInterchangeControl, formatTransactionControl, toControlNumberSource } from '../envelope/control-numbers.js';
import { buildIsa, validateParty } from '../envelope/interchange.js';
import { X12InputError, type X12Issue } from '../errors.js';
import { ccyymmdd, clean, fhirDateToD8, formatMoney, hhmm, toCents } from '../internal/format.js';
import { DEFAULT_DELIMITERS } from '../internal/segment.js';
import { NPI_SYSTEM, PAYER_ID_SYSTEM } from '../internal/systems.js';
import { checkElement, rule, ValidatingWriter, type SegmentRule } from '../internal/elements.js';
import { X12InquiryInputError, type X12ElementIssue } from '../eligibility/errors.js';
import { bhtRule, DMG_RULE, GE_RULE, gsRule, hlRule, IEA_RULE, SE_RULE, stRule } from '../eligibility/segments.js';
import type { ClaimsAwaitingStatusOptions, ClaimStatusInquiryInput, StoredClaimResponses, Write276Options } from './input.js';

/** 005010X212 implementation convention reference (GS08, ST03). */
const IMPLEMENTATION_276 = '005010X212';

const nm1 = (loop: string, entities: readonly string[], entityTypes: readonly string[], idQualifiers: readonly string[], person: boolean): SegmentRule => ({
  id: 'NM1',
  elements: [
    rule('NM101', 'ID', 2, 3, 'R', entities),
    rule('NM102', 'ID', 1, 1, 'R', entityTypes),
    rule('NM103', 'AN', 1, 60, person ? 'R' : 'R'),
    person ? rule('NM104', 'AN', 1, 35, 'S') : null,
    person ? rule('NM105', 'AN', 1, 25, 'S') : null,
    null,
    person ? rule('NM107', 'AN', 1, 10, 'S') : null,
    rule('NM108', 'ID', 1, 2, 'R', idQualifiers),
    rule(`NM109 (${loop})`, 'AN', 2, 80),
  ],
});
const NM1_PAYER = nm1('2100A', ['PR'], ['2'], ['21', 'AD', 'FI', 'NI', 'PI', 'PP', 'XV'], false);
const NM1_RECEIVER = nm1('2100B', ['41'], ['1', '2'], ['46'], false);
const NM1_PROVIDER = nm1('2100C', ['1P'], ['1', '2'], ['FI', 'SV', 'XX'], false);
const NM1_SUBSCRIBER = nm1('2100D', ['IL'], ['1'], ['24', 'II', 'MI'], true);
const TRN_2200D: SegmentRule = { id: 'TRN', elements: [rule('TRN01', 'ID', 1, 2, 'R', ['1']), rule('TRN02', 'AN', 1, 50)] };
const REF_2200D = (qualifier: string): SegmentRule => ({ id: 'REF', elements: [rule('REF01', 'ID', 2, 3, 'R', [qualifier]), rule('REF02', 'AN', 1, 50)] });
const AMT_T3: SegmentRule = { id: 'AMT', elements: [rule('AMT01', 'ID', 1, 3, 'R', ['T3']), rule('AMT02', 'R', 1, 18)] };
const DTP_472: SegmentRule = {
  id: 'DTP',
  elements: [rule('DTP01', 'ID', 3, 3, 'R', ['472']), rule('DTP02', 'ID', 2, 3, 'R', ['D8', 'RD8']), rule('DTP03', 'AN', 1, 35)],
};
const DATE_RULE = rule('DTP03', 'DT', 8, 8);

const idIn = (ids: readonly Identifier[] | undefined, system: string) => ids?.find((i) => i.system === system && !!i.value)?.value ?? '';

function serviceDates(claim: Claim): { from?: string; to?: string } {
  const dates: string[] = [];
  for (const item of claim.item ?? []) {
    const a = fhirDateToD8(item.servicedDate ?? item.servicedPeriod?.start);
    const b = fhirDateToD8(item.servicedPeriod?.end);
    if (a) dates.push(a);
    if (b) dates.push(b);
  }
  if (!dates.length) {
    const a = fhirDateToD8(claim.billablePeriod?.start);
    const b = fhirDateToD8(claim.billablePeriod?.end) ?? a;
    return a ? { from: a, ...(b ? { to: b } : {}) } : {};
  }
  dates.sort();
  const [from] = dates;
  const to = dates.at(-1);
  return from === undefined ? {} : { from, ...(to === undefined ? {} : { to }) };
}

/**
 * Claims to ask about: created at least `olderThanDays` days before `asOf` and without a final ClaimResponse (one whose
 * `outcome` is `complete` or `error`). A `queued` or `partial` response is not final.
 *
 * @param claims - the billed Claims
 * @param responses - the ClaimResponses stored so far
 * @param options - the age threshold and the as-of date
 * @returns the claims to ask about in a 276
 * @example
 * ```ts
 * import { claimsAwaitingStatus } from '@peer-fhir/x12';
 * import type { Claim, ClaimResponse } from 'fhir/r4.js';
 * declare const claims: Claim[];
 * declare const responses: ClaimResponse[];
 * const aged = claimsAwaitingStatus(claims, responses, { asOf: '2025-05-01', olderThanDays: 30 });
 * ```
 * @category Claim status
 */
export function claimsAwaitingStatus(claims: readonly Claim[], responses: StoredClaimResponses, options: ClaimsAwaitingStatusOptions): Claim[] {
  const asOf = Date.parse(`${options.asOf}T00:00:00Z`);
  if (!Number.isFinite(asOf) || !Number.isInteger(options.olderThanDays) || options.olderThanDays < 0) {
    throw new X12InquiryInputError('276', [{ path: 'options', element: 'input', problem: 'bad-format', message: 'asOf must be YYYY-MM-DD and olderThanDays a whole number' }]);
  }
  const final = new Set(
    responses.filter((r) => r.outcome === 'complete' || r.outcome === 'error').map((r) => r.request?.reference).filter((x): x is string => !!x),
  );
  const cutoff = asOf - options.olderThanDays * 86_400_000;
  return claims.filter((c) => {
    if (c.status !== 'active' || !c.id) return false;
    if (final.has(`Claim/${c.id}`)) return false;
    const created = Date.parse(c.created.length === 10 ? `${c.created}T00:00:00Z` : c.created);
    return Number.isFinite(created) && created <= cutoff;
  });
}

/** The 276 being written: the writer, the shape issues found so far, and the open HL loops. */
interface Batch276 {
  readonly w: ValidatingWriter;
  readonly shape: X12ElementIssue[];
  readonly options: Write276Options;
  hl: number;
  payerHl: number;
  receiverHl: number;
  providerHl: number;
  last: { payer: string; provider: string; subscriber: string };
}

const HL_RULE_276 = hlRule(['19', '20', '21', '22']);

/** Options are checked before anything is written: parties, usage and a control number source are required. */
function validate276Options(options: Write276Options): void {
  const optionIssues: X12Issue[] = [];
  if (!options) throw new X12InputError([{ path: 'options', message: 'required' }]);
  validateParty(options.sender, 'options.sender', optionIssues);
  validateParty(options.receiver, 'options.receiver', optionIssues);
  if (options.usage !== 'T' && options.usage !== 'P') optionIssues.push({ path: 'options.usage', message: "must be 'T' or 'P'" });
  if (!options.controlNumbers) optionIssues.push({ path: 'options.controlNumbers', message: 'required' });
  if (optionIssues.length) throw new X12InputError(optionIssues);
}

/** 2000A payer + 2000B receiver (the submitter), written again only when the payer changes. */
function writePayer(b: Batch276, input: ClaimStatusInquiryInput, p: string): void {
  const payerId = idIn(input.payer.identifier, PAYER_ID_SYSTEM) || (input.payer.identifier?.find((x) => !!x.value)?.value ?? '');
  const payerName = clean(input.payer.name ?? '', 60);
  const payerKey = `${payerId}#${payerName}`;
  if (payerKey === b.last.payer) return;
  b.payerHl = ++b.hl;
  b.w.add(HL_RULE_276, [String(b.payerHl), '', '20', '1']); // 2000A information source
  b.w.add(NM1_PAYER, ['PR', '2', payerName, '', '', '', '', 'PI', payerId], { 3: `${p}.payer.name`, 9: `${p}.payer.identifier` });
  b.receiverHl = ++b.hl;
  b.w.add(HL_RULE_276, [String(b.receiverHl), String(b.payerHl), '21', '1']); // 2000B information receiver (the submitter)
  const { submitter, sender } = b.options;
  b.w.add(NM1_RECEIVER, ['41', '2', clean(submitter?.name ?? '', 60), '', '', '', '', '46', submitter?.etin ?? sender.id], { 3: 'options.submitter.name', 9: 'options.submitter.etin' });
  b.last = { payer: payerKey, provider: '', subscriber: '' };
}

/** 2000C service provider (the billing provider), written again only when it changes. */
function writeProvider(b: Batch276, input: ClaimStatusInquiryInput, p: string): void {
  const bp = input.billingProvider;
  const npi = idIn(bp.identifier, NPI_SYSTEM);
  const providerKey = `${npi}#${bp.name ?? ''}`;
  if (providerKey === b.last.provider) return;
  b.providerHl = ++b.hl;
  b.w.add(HL_RULE_276, [String(b.providerHl), String(b.receiverHl), '19', '1']);
  b.w.add(NM1_PROVIDER, ['1P', '2', clean(bp.name ?? '', 60), '', '', '', '', 'XX', npi], { 3: `${p}.billingProvider.name`, 9: `${p}.billingProvider.identifier (NPI)` });
  b.last = { ...b.last, provider: providerKey, subscriber: '' };
}

/** 2000D subscriber (the patient; no 2000E), written again only when the subscriber changes. */
function writeSubscriber(b: Batch276, input: ClaimStatusInquiryInput, p: string): void {
  const s = input.subscriber;
  const name = s.name?.find((n) => n.use === 'official') ?? s.name?.[0];
  const memberId = input.coverage.subscriberId ?? '';
  const birth = fhirDateToD8(s.birthDate) ?? (s.birthDate ? 'invalid' : '');
  const gender = s.gender === 'male' ? 'M' : s.gender === 'female' ? 'F' : '';
  const subscriberKey = `${memberId}#${name?.family ?? ''}#${birth}`;
  if (subscriberKey === b.last.subscriber) return;
  b.w.add(HL_RULE_276, [String(++b.hl), String(b.providerHl), '22', '0']);
  // X212 2000D DMG: required when the patient is the subscriber
  b.w.add(DMG_RULE, ['D8', birth, gender], { 2: `${p}.subscriber.birthDate`, 3: `${p}.subscriber.gender` });
  b.w.add(
    NM1_SUBSCRIBER,
    ['IL', '1', clean(name?.family ?? '', 60), clean(name?.given?.[0] ?? '', 35), clean(name?.given?.[1] ?? '', 25), '', '', 'MI', memberId],
    { 3: `${p}.subscriber.name.family`, 4: `${p}.subscriber.name.given`, 9: `${p}.coverage.subscriberId` },
  );
  b.last = { ...b.last, subscriber: subscriberKey };
}

/** 2200D claim status tracking: TRN, REF*1K payer claim number, REF*EJ patient control number (837P CLM01), AMT*T3, DTP*472. */
function writeClaim(b: Batch276, input: ClaimStatusInquiryInput, p: string): void {
  const { w, shape } = b;
  const claim = input.claim;
  const trace = input.trace ?? claim.id ?? '';
  w.add(TRN_2200D, ['1', trace], { 2: `${p}.trace` });
  if (input.payerClaimControlNumber) w.add(REF_2200D('1K'), ['1K', input.payerClaimControlNumber], { 2: `${p}.payerClaimControlNumber` });
  const pcn = clean(claim.identifier?.find((x) => !!x.value)?.value ?? '', undefined, false);
  if (!pcn) shape.push({ path: `${p}.claim.identifier`, element: 'REF02', problem: 'required', message: 'required (2200D REF*EJ patient control number, the 837P CLM01)' });
  w.add(REF_2200D('EJ'), ['EJ', pcn], { 2: `${p}.claim.identifier` });
  const cents = toCents(claim.total?.value);
  if (cents !== undefined) w.add(AMT_T3, ['T3', formatMoney(cents)], { 2: `${p}.claim.total` });
  const { from, to } = serviceDates(claim);
  if (!from) shape.push({ path: `${p}.claim.item`, element: 'DTP03', problem: 'required', message: 'a service date is required (2200D DTP*472)' });
  else {
    for (const part of [from, to ?? from]) checkElement(DATE_RULE, part, `${p}.claim.item.serviced`, w.issues);
    w.add(DTP_472, ['472', to && to !== from ? 'RD8' : 'D8', to && to !== from ? `${from}-${to}` : from], { 3: `${p}.claim.item.serviced` });
  }
}

/**
 * Write claim status inquiries as one X12 276 005010X212 interchange (one ST..SE; each claim under its payer, provider
 * and subscriber loops, consecutive claims sharing them). Every element is checked against its TR3 rule first; any
 * problem throws one {@link X12InquiryInputError} listing all of them, never values.
 *
 * Spec: ASC X12N 276/277 Health Care Claim Status Request and Response, 005010X212 (loops 2000A–2200D).
 *
 * @param inputs - the claims to ask about with their subscriber, coverage, payer and billing provider
 * @param options - ISA/GS parties, usage, control numbers and submitter
 * @returns the 276 interchange text
 * @example
 * ```ts
 * import { write276, type ClaimStatusInquiryInput } from '@peer-fhir/x12';
 * declare const inquiries: ClaimStatusInquiryInput[];
 * const text = write276(inquiries, {
 *   sender: { id: 'AGENCY01' }, receiver: { id: 'MEDICAID01' }, submitter: { name: 'Example Peer Agency' },
 *   controlNumbers: { isa: 3, gs: 3 }, usage: 'T',
 * });
 * ```
 * @throws {@link X12InquiryInputError} when an element would break its TR3 rule
 * @category Claim status
 */
export function write276(inputs: readonly ClaimStatusInquiryInput[], options: Write276Options): string {
  validate276Options(options);
  if (!Array.isArray(inputs) || inputs.length === 0) throw new X12InputError([{ path: 'claims', message: 'at least one claim is required' }]);
  const d = DEFAULT_DELIMITERS;
  const w = new ValidatingWriter(d, options.lineBreaks === false ? d.segment : `${d.segment}\n`);
  const source = toControlNumberSource(options.controlNumbers);
  const date = options.date ?? new Date();
  const isa = source.nextInterchange();
  const gs = source.nextGroup();
  const st = formatTransactionControl(source.nextTransaction());
  w.addRaw(buildIsa({ sender: options.sender, receiver: options.receiver, date, controlNumber: isa, usage: options.usage, acknowledgmentRequested: options.acknowledgmentRequested ?? false }, d));
  w.add(gsRule('HR', IMPLEMENTATION_276), ['HR', options.sender.applicationCode ?? options.sender.id, options.receiver.applicationCode ?? options.receiver.id, ccyymmdd(date), hhmm(date), String(gs), 'X', IMPLEMENTATION_276]);
  w.resetCount();
  w.add(stRule('276', IMPLEMENTATION_276), ['276', st, IMPLEMENTATION_276]);
  // BHT01 0010 = information source, receiver, provider, subscriber, dependent; BHT02 13 = request
  w.add(bhtRule('0010'), ['0010', '13', `${formatInterchangeControl(isa)}${st}`, ccyymmdd(date), hhmm(date)]);
  const b: Batch276 = { w, shape: [], options, hl: 0, payerHl: 0, receiverHl: 0, providerHl: 0, last: { payer: '', provider: '', subscriber: '' } };
  inputs.forEach((input, i) => {
    const p = `claims[${i}]`;
    writePayer(b, input, p);
    writeProvider(b, input, p);
    writeSubscriber(b, input, p);
    writeClaim(b, input, p);
  });
  w.add(SE_RULE, [String(w.count + 1), st]);
  w.add(GE_RULE, ['1', String(gs)]);
  w.add(IEA_RULE, ['1', formatInterchangeControl(isa)]);
  if (b.shape.length || w.issues.length) throw new X12InquiryInputError('276', [...b.shape, ...w.issues]);
  return w.drain();
}
