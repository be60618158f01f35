import type { CodeableConcept, HumanName, Identifier } from 'fhir/r4.js';
import { formatInterchangeControl, formatTransactionControl, toControlNumberSource, type ControlNumberSource } from '../envelope/control-numbers.js';
import { buildIsa, validateParty } from '../envelope/interchange.js';
import { X12InputError, type X12Issue } from '../errors.js';
import { ccyymmdd, clean, fhirDateToD8, hhmm } from '../internal/format.js';
import { DEFAULT_DELIMITERS } from '../internal/segment.js';
import { EIN_SYSTEMS, NPI_SYSTEM, PAYER_ID_SYSTEM, PROCEDURE_SYSTEMS } from '../internal/systems.js';
import { SERVICE_TYPE_TEXT } from './codes.js';
import { checkElement, rule, ValidatingWriter, type ElementValue, type SegmentRule } from '../internal/elements.js';
import { X12InquiryInputError } from './errors.js';
import type { EligibilityInquiryInput, Write270Options } from './input.js';
import { bhtRule, DMG_RULE, GE_RULE, gsRule, hlRule, IEA_RULE, SE_RULE, stRule, TRN_RULE } from './segments.js';
import { ELIGIBILITY_TRACE_SYSTEM, SERVICE_TYPE_SYSTEM } from './systems.js';

/** 005010X279A1 implementation convention reference (GS08, ST03). */
export const IMPLEMENTATION_270 = '005010X279A1';
/** X279A1 1.4.3: a batch 270 carries at most 99 subscriber requests per transaction set. */
const MAX_SUBSCRIBERS = 99;

const SERVICE_TYPES = Object.keys(SERVICE_TYPE_TEXT);

// 270 segment tables (X279A1). `null` = element not used by this TR3 at this position.
const NM1_SOURCE: SegmentRule = {
  id: 'NM1',
  elements: [
    rule('NM101', 'ID', 2, 3, 'R', ['2B', '36', 'GP', 'P5', 'PR']),
    rule('NM102', 'ID', 1, 1, 'R', ['1', '2']),
    rule('NM103', 'AN', 1, 60),
    null, null, null, null,
    rule('NM108', 'ID', 1, 2, 'R', ['24', '46', 'FI', 'NI', 'PI', 'XV', 'XX']),
    rule('NM109', 'AN', 2, 80),
  ],
};
const NM1_RECEIVER: SegmentRule = {
  id: 'NM1',
  elements: [
    rule('NM101', 'ID', 2, 3, 'R', ['1P', '2B', '36', '80', 'FA', 'GP', 'P5', 'PR']),
    rule('NM102', 'ID', 1, 1, 'R', ['1', '2']),
    rule('NM103', 'AN', 1, 60, 'S'),
    rule('NM104', 'AN', 1, 35, 'S'),
    rule('NM105', 'AN', 1, 25, 'S'),
    null,
    rule('NM107', 'AN', 1, 10, 'S'),
    rule('NM108', 'ID', 1, 2, 'R', ['24', '34', '46', 'FI', 'PI', 'PP', 'SV', 'XV', 'XX']),
    rule('NM109', 'AN', 2, 80),
  ],
};
const NM1_SUBSCRIBER: SegmentRule = {
  id: 'NM1',
  elements: [
    rule('NM101', 'ID', 2, 3, 'R', ['IL']),
    rule('NM102', 'ID', 1, 1, 'R', ['1']),
    rule('NM103', 'AN', 1, 60, 'S'),
    rule('NM104', 'AN', 1, 35, 'S'),
    rule('NM105', 'AN', 1, 25, 'S'),
    null,
    rule('NM107', 'AN', 1, 10, 'S'),
    rule('NM108', 'ID', 1, 2, 'S', ['II', 'MI']),
    rule('NM109', 'AN', 2, 80, 'S'),
  ],
};
const DTP_291: SegmentRule = {
  id: 'DTP',
  elements: [rule('DTP01', 'ID', 3, 3, 'R', ['291']), rule('DTP02', 'ID', 2, 3, 'R', ['D8', 'RD8']), rule('DTP03', 'AN', 1, 35)],
};
const EQ_RULE: SegmentRule = {
  id: 'EQ',
  elements: [
    rule('EQ01', 'ID', 1, 2, 'S', SERVICE_TYPES, 'an X12 service type code (element 1365)'),
    {
      ref: 'EQ02',
      usage: 'S',
      components: [
        rule('EQ02-1', 'ID', 2, 2, 'R', ['AD', 'CJ', 'HC', 'ID', 'IV', 'N4', 'ZZ']),
        rule('EQ02-2', 'AN', 1, 48),
        rule('EQ02-3', 'AN', 2, 2, 'S'),
        rule('EQ02-4', 'AN', 2, 2, 'S'),
        rule('EQ02-5', 'AN', 2, 2, 'S'),
        rule('EQ02-6', 'AN', 2, 2, 'S'),
      ],
    },
  ],
};
const DATE_RULE = rule('DTP03', 'DT', 8, 8);

const firstIdentifier = (ids: readonly Identifier[] | undefined, systems: readonly string[]): string =>
  ids?.find((i) => i.system !== undefined && systems.includes(i.system) && !!i.value)?.value ?? '';

const pickName = (names: readonly HumanName[] | undefined): HumanName | undefined =>
  names?.find((n) => n.use === 'official') ?? names?.find((n) => n.use !== 'old') ?? names?.[0];

const codeIn = (cc: CodeableConcept | undefined, systems: readonly string[]) =>
  cc?.coding?.find((c) => c.system !== undefined && systems.includes(c.system) && !!c.code)?.code;

/** Everything a 2000A/2000B/2000C needs, in X12 form; `paths` point back at the input. */
interface Inquiry {
  payer: { name: string; id: string };
  provider: { entity: '1' | '2'; last: string; first: string; npi: string };
  subscriber: { last: string; first: string; middle: string; suffix: string; memberId: string; birthDate: string; gender: string };
  trace: string;
  date?: { qualifier: 'D8' | 'RD8'; value: string };
  eqs: { serviceType: string; procedure: readonly string[] }[];
}

function toInquiry(input: EligibilityInquiryInput, path: string, issues: X12Issue[]): Inquiry {
  const { request, patient, coverage, payer, provider } = input;
  const payerId = firstIdentifier(payer.identifier, [PAYER_ID_SYSTEM]) || (payer.identifier?.find((i) => !!i.value)?.value ?? '');
  const isOrg = provider.resourceType === 'Organization';
  const provName = isOrg ? { last: clean(provider.name ?? '', 60), first: '' } : personName(pickName(provider.name));
  const n = personName(pickName(patient.name));
  const middle = clean(pickName(patient.name)?.given?.[1] ?? '', 25);
  const trace = firstIdentifier(request.identifier, [ELIGIBILITY_TRACE_SYSTEM]) || (request.id ?? '');
  if (!trace) issues.push({ path: `${path}.request.identifier`, message: 'a trace number is required (2000C TRN02): an identifier in the x12-eligibility-trace system, or request.id' });
  let date: Inquiry['date'];
  if (request.servicedDate) {
    const d = fhirDateToD8(request.servicedDate);
    if (!d) issues.push({ path: `${path}.request.servicedDate`, message: 'must be a full date (2100C DTP03)' });
    else date = { qualifier: 'D8', value: d };
  } else if (request.servicedPeriod) {
    const s = fhirDateToD8(request.servicedPeriod.start);
    const e = fhirDateToD8(request.servicedPeriod.end) ?? s;
    if (!s || !e) issues.push({ path: `${path}.request.servicedPeriod`, message: 'needs a full start date (2100C DTP03)' });
    else date = s === e ? { qualifier: 'D8', value: s } : { qualifier: 'RD8', value: `${s}-${e}` };
  }
  const eqs: Inquiry['eqs'] = (request.item ?? []).map((item) => {
    const st = codeIn(item.category, [SERVICE_TYPE_SYSTEM]) ?? '';
    const proc = codeIn(item.productOrService, PROCEDURE_SYSTEMS);
    const mods = (item.modifier ?? []).map((m) => codeIn(m, PROCEDURE_SYSTEMS) ?? m.coding?.[0]?.code ?? '').filter((m) => m !== '');
    return { serviceType: st, procedure: proc ? ['HC', proc, ...mods] : [] };
  });
  const gender = patient.gender === 'male' ? 'M' : patient.gender === 'female' ? 'F' : '';
  return {
    payer: { name: clean(payer.name ?? '', 60), id: payerId },
    provider: { entity: isOrg ? '2' : '1', ...provName, npi: firstIdentifier(provider.identifier, [NPI_SYSTEM]) },
    subscriber: {
      ...n,
      middle,
      suffix: clean(pickName(patient.name)?.suffix?.[0] ?? '', 10),
      memberId: coverage?.subscriberId ?? '',
      birthDate: fhirDateToD8(patient.birthDate) ?? (patient.birthDate ? 'invalid' : ''),
      gender,
    },
    trace,
    ...(date ? { date } : {}),
    eqs: eqs.length ? eqs : [{ serviceType: '30', procedure: [] }],
  };
}

function personName(n: HumanName | undefined): { last: string; first: string } {
  return { last: clean(n?.family ?? '', 60), first: clean(n?.given?.[0] ?? '', 35) };
}

/** One 270 interchange being written: the writer, the issues found so far, and the open set and loops. */
interface Batch270 {
  readonly w: ValidatingWriter;
  readonly shapeIssues: X12Issue[];
  readonly source: ControlNumberSource;
  readonly isa: number;
  readonly date: Date;
  readonly originator: string;
  sets: number;
  st: string;
  /** Subscribers in the open ST..SE (0: none open). */
  inSt: number;
  hl: number;
  sourceHl: number;
  receiverHl: number;
  lastPayer: string;
  lastProvider: string;
}

const HL_RULE_270 = hlRule(['20', '21', '22']);

/** ST + BHT: a new set; BHT03 (ISA13 + ST02) is unique per submitter, BHT02 13 = request. HL numbering restarts. */
function openSet(b: Batch270): void {
  b.st = formatTransactionControl(b.source.nextTransaction());
  b.w.resetCount();
  b.w.add(stRule('270', IMPLEMENTATION_270), ['270', b.st, IMPLEMENTATION_270]);
  b.w.add(bhtRule('0022'), ['0022', '13', `${formatInterchangeControl(b.isa)}${b.st}`, ccyymmdd(b.date), hhmm(b.date)]);
  b.hl = 0;
  b.lastPayer = '';
  b.lastProvider = '';
}

/** SE: SE01 counts ST..SE. */
function closeSet(b: Batch270): void {
  b.w.add(SE_RULE, [String(b.w.count + 1), b.st]);
  b.sets++;
  b.inSt = 0;
}

/** 2000A information source + 2100A payer, written again only when the payer changes. */
function writeSource(b: Batch270, q: Inquiry, path: string): void {
  const payerKey = `${q.payer.id}#${q.payer.name}`;
  if (payerKey === b.lastPayer) return;
  b.sourceHl = ++b.hl;
  b.w.add(HL_RULE_270, [String(b.sourceHl), '', '20', '1']);
  b.w.add(NM1_SOURCE, ['PR', '2', q.payer.name, '', '', '', '', 'PI', q.payer.id], { 3: `${path}.payer.name`, 9: `${path}.payer.identifier` }, '2100A');
  b.lastPayer = payerKey;
  b.lastProvider = '';
}

/** 2000B information receiver + 2100B provider, written again only when the provider (or the payer above it) changes. */
function writeReceiver(b: Batch270, q: Inquiry, path: string): void {
  const p = q.provider;
  const providerKey = `${p.entity}#${p.npi}#${p.last}#${p.first}`;
  if (providerKey === b.lastProvider) return;
  b.receiverHl = ++b.hl;
  b.w.add(HL_RULE_270, [String(b.receiverHl), String(b.sourceHl), '21', '1']);
  if (p.last === '') b.shapeIssues.push({ path: `${path}.provider.name`, message: 'required (2100B NM103)' });
  b.w.add(NM1_RECEIVER, ['1P', p.entity, p.last, p.first, '', '', '', 'XX', p.npi], { 3: `${path}.provider.name`, 4: `${path}.provider.name`, 9: `${path}.provider.identifier (NPI)` }, '2100B');
  b.lastProvider = providerKey;
}

/** 2000C subscriber (no 2000D dependent) with TRN, 2100C NM1/DMG/DTP*291, and one 2110C EQ per benefit asked about. */
function writeSubscriber(b: Batch270, q: Inquiry, path: string): void {
  const { w, shapeIssues } = b;
  const s = q.subscriber;
  w.add(HL_RULE_270, [String(++b.hl), String(b.receiverHl), '22', '0']);
  w.add(TRN_RULE, ['1', q.trace, b.originator], { 2: `${path}.request.identifier`, 3: 'options.originatorId' }, '2000C');
  // X279A1 2100C: without a member id the payer searches by last name, first name and birth date
  if (!s.memberId && (!s.last || !s.first)) shapeIssues.push({ path: `${path}.patient.name`, message: 'family and given name are required when coverage.subscriberId is absent (2100C NM103/NM104)' });
  w.add(
    NM1_SUBSCRIBER,
    ['IL', '1', s.last, s.first, s.middle, '', s.suffix, s.memberId ? 'MI' : '', s.memberId],
    { 3: `${path}.patient.name.family`, 4: `${path}.patient.name.given`, 5: `${path}.patient.name.given`, 7: `${path}.patient.name.suffix`, 9: `${path}.coverage.subscriberId` },
    '2100C',
  );
  w.add(DMG_RULE, ['D8', s.birthDate, s.gender], { 2: `${path}.patient.birthDate`, 3: `${path}.patient.gender` }, '2100C');
  if (q.date) {
    const values: ElementValue[] = ['291', q.date.qualifier, q.date.value];
    // Each half of an RD8 range is a DT (CCYYMMDD-CCYYMMDD)
    for (const part of q.date.value.split('-')) checkElement(DATE_RULE, part, `${path}.request.serviced`, w.issues);
    w.add(DTP_291, values, { 3: `${path}.request.serviced` }, '2100C');
  }
  q.eqs.forEach((eq, j) => {
    if (!eq.serviceType && eq.procedure.length === 0) shapeIssues.push({ path: `${path}.request.item[${j}]`, message: 'needs a category in the X12 service type system or an HCPCS productOrService (2110C EQ01/EQ02)' });
    w.add(EQ_RULE, [eq.serviceType, eq.procedure], { 1: `${path}.request.item[${j}].category`, 2: `${path}.request.item[${j}].productOrService` }, '2110C');
  });
}

/** ISA + GS (HS functional group). */
function openInterchange(w: ValidatingWriter, options: Write270Options, isa: number, gs: number, date: Date): void {
  const d = DEFAULT_DELIMITERS;
  w.addRaw(buildIsa({ sender: options.sender, receiver: options.receiver, date, controlNumber: isa, usage: options.usage, acknowledgmentRequested: options.acknowledgmentRequested ?? false }, d));
  w.add(gsRule('HS', IMPLEMENTATION_270), [
    'HS',
    options.sender.applicationCode ?? options.sender.id,
    options.receiver.applicationCode ?? options.receiver.id,
    ccyymmdd(date),
    hhmm(date),
    String(gs),
    'X',
    IMPLEMENTATION_270,
  ], { 2: 'options.sender.applicationCode (default id)', 3: 'options.receiver.applicationCode (default id)' });
}

/**
 * Write eligibility inquiries as one X12 270 005010X279A1 interchange: a single inquiry (real-time form) or a roster
 * (batch form: up to 99 subscribers per ST..SE, consecutive inquiries to the same payer and provider sharing their
 * 2000A/2000B loops).
 *
 * Every element is checked against the TR3's type, length and code list before it is written; any problem in any
 * inquiry throws one {@link X12InquiryInputError} listing all of them (paths and element references, never values).
 *
 * Spec: ASC X12N 270/271 Health Care Eligibility Benefit Inquiry and Response, 005010X279A1 (loops 2000A–2110C).
 *
 * @param inputs - the eligibility requests with their patient, coverage, payer and provider
 * @param options - ISA/GS parties, usage, control numbers and batching
 * @returns the 270 interchange text
 * @example
 * ```ts
 * import { write270 } from '@peer-fhir/x12';
 * const text = write270(
 *   [{
 *     request: { resourceType: 'CoverageEligibilityRequest', id: 'elig-1', status: 'active', purpose: ['validation'],
 *       patient: { reference: 'Patient/p1' }, created: '2025-03-01', insurer: { reference: 'Organization/payer' },
 *       servicedDate: '2025-03-03' },
 *     patient: { resourceType: 'Patient', name: [{ family: 'Doe', given: ['Jo'] }], birthDate: '1990-04-02', gender: 'female' },
 *     coverage: { resourceType: 'Coverage', status: 'active', subscriberId: 'M1234567', beneficiary: { reference: 'Patient/p1' },
 *       payor: [{ reference: 'Organization/payer' }] },
 *     payer: { resourceType: 'Organization', name: 'State Medicaid', identifier: [{ value: 'MCD01' }] },
 *     provider: { resourceType: 'Organization', name: 'Peer Agency',
 *       identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1245319599' }, { system: 'urn:oid:2.16.840.1.113883.4.4', value: '123456789' }] },
 *   }],
 *   { sender: { id: 'AGENCY01' }, receiver: { id: 'MEDICAID01' }, controlNumbers: { isa: 1, gs: 1 }, usage: 'T' },
 * );
 * ```
 * @throws {@link X12InquiryInputError} when an element would break its TR3 rule (all problems at once)
 * @throws {@link X12InputError} when the envelope options are invalid
 * @category Eligibility
 */
export function write270(inputs: readonly EligibilityInquiryInput[], options: Write270Options): string {
  validate270Options(options);
  const first = Array.isArray(inputs) ? inputs[0] : undefined;
  if (first === undefined) throw new X12InputError([{ path: 'requests', message: 'at least one request is required' }]);
  const shapeIssues: X12Issue[] = [];
  const inquiries = inputs.map((input, i) => toInquiry(input, `requests[${i}]`, shapeIssues));
  const d = DEFAULT_DELIMITERS;
  const w = new ValidatingWriter(d, options.lineBreaks === false ? d.segment : `${d.segment}\n`);
  const source: ControlNumberSource = toControlNumberSource(options.controlNumbers);
  const date = options.date ?? new Date();
  const max = options.maxSubscribersPerTransaction ?? MAX_SUBSCRIBERS;
  const originator = options.originatorId ?? defaultOriginator(first);
  const isa = source.nextInterchange();
  const gs = source.nextGroup();
  openInterchange(w, options, isa, gs, date);
  const b: Batch270 = { w, shapeIssues, source, isa, date, originator, sets: 0, st: '', inSt: 0, hl: 0, sourceHl: 0, receiverHl: 0, lastPayer: '', lastProvider: '' };
  inquiries.forEach((q, i) => {
    const path = `requests[${i}]`;
    if (b.inSt >= max) closeSet(b); // X279A1 1.4.3: at most 99 subscribers per set
    if (b.inSt === 0) openSet(b);
    writeSource(b, q, path);
    writeReceiver(b, q, path);
    writeSubscriber(b, q, path);
    b.inSt++;
  });
  closeSet(b);
  w.add(GE_RULE, [String(b.sets), String(gs)]);
  w.add(IEA_RULE, ['1', formatInterchangeControl(isa)]);
  if (shapeIssues.length || w.issues.length) {
    throw new X12InquiryInputError('270', [
      ...shapeIssues.map((x) => ({ path: x.path, element: 'input', problem: 'required' as const, message: x.message })),
      ...w.issues,
    ]);
  }
  return w.drain();
}

/** TRN03: `1` + the provider's EIN (X279A1: "1" followed by the IRS Employer Identification Number). */
function defaultOriginator(first: EligibilityInquiryInput): string {
  const ein = firstIdentifier(first.provider.identifier, EIN_SYSTEMS).replace(/[^0-9]/g, '');
  return ein.length === 9 ? `1${ein}` : '';
}

function validate270Options(o: Write270Options): void {
  const issues: X12Issue[] = [];
  if (!o) throw new X12InputError([{ path: 'options', message: 'required' }]);
  if (o.originatorId !== undefined && !/^[19][\x21-\x7e]{9}$/.test(o.originatorId)) {
    issues.push({ path: 'options.originatorId', message: "must be 10 characters: '1' + EIN or '9' + a 9-character id (TRN03)" });
  }
  validateParty(o.sender, 'options.sender', issues);
  validateParty(o.receiver, 'options.receiver', issues);
  if (o.usage !== 'T' && o.usage !== 'P') issues.push({ path: 'options.usage', message: "must be 'T' or 'P'" });
  const max = o.maxSubscribersPerTransaction;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_SUBSCRIBERS)) {
    issues.push({ path: 'options.maxSubscribersPerTransaction', message: 'must be an integer 1..99 (X279A1 1.4.3)' });
  }
  if (!o.controlNumbers) issues.push({ path: 'options.controlNumbers', message: 'required' });
  if (issues.length) throw new X12InputError(issues);
}
