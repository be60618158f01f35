import type { ClaimItem } from 'fhir/r4.js';
import type { NormalizedClaim, NormalizedLine, X12ClaimInput } from '../837p/input.js';
import { normalizeClaim } from '../837p/normalize.js';
import { X12InputError, type X12Issue } from '../errors.js';
import { formatInterchangeControl, formatTransactionControl } from '../envelope/control-numbers.js';
import { buildIsa, type InterchangeParty } from '../envelope/interchange.js';
import { ccyymmdd, formatMoney, formatQuantity, hhmm } from '../internal/format.js';
import { SegmentBuffer } from '../internal/segment.js';
import type { Adjustment } from './types.js';

/**
 * The payer's decision for one billed line.
 * - `paid`: paid in full
 * - `partial`: `paid` dollars; the rest is explained by `adjustments` (default one CO-45 for the difference)
 * - `denied`: nothing paid; the whole charge adjusted with `reason` (CARC) in `group` (default CO)
 *
 * @category Testing
 */
export type LineDecision =
  | { readonly kind: 'paid' }
  | { readonly kind: 'partial'; readonly paid: number; readonly adjustments?: readonly Adjustment[]; readonly remarks?: readonly string[] }
  | { readonly kind: 'denied'; readonly reason: string; readonly group?: string; readonly remarks?: readonly string[] };

/** Options for {@link build835ForTest}. @category Testing */
export interface Build835Options {
  /** ISA sender (the payer) and receiver (the provider). */
  readonly sender: InterchangeParty;
  readonly receiver: InterchangeParty;
  readonly usage?: 'T' | 'P';
  readonly controlNumbers?: { readonly isa: number; readonly gs: number; readonly st?: number };
  /** BPR16 / DTM*405 date; default now. */
  readonly date?: Date;
  /** TRN02 check / EFT trace number. */
  readonly traceNumber: string;
  /** Payer name (N1*PR), TIN for TRN03 (9 digits), payer id (REF*2U). */
  readonly payer: { readonly name: string; readonly tin: string; readonly id?: string };
  /** CLP07 = prefix + running number; default `ICN`. */
  readonly icnPrefix?: string;
  readonly lineBreaks?: boolean;
}

/** A billed claim, normalised as the 837P writer sends it, with its position in the call. */
interface BilledClaim {
  readonly input: X12ClaimInput;
  readonly index: number;
  readonly normalized: NormalizedClaim;
}

/** The payer's decision on one line, in X12 terms: CAS adjustments, paid cents, LQ*HE remarks. */
interface Decided {
  adjustments: Adjustment[];
  paidCents: number;
  remarks: readonly string[];
}

/** Normalise every claim as the 837P writer does (so CLP/SVC echo what was sent); any problem refuses the whole call. */
function billedClaims(claims: readonly X12ClaimInput[], options: Build835Options): [BilledClaim, ...BilledClaim[]] {
  const issues: X12Issue[] = [];
  const billed = claims.flatMap((input, index) => {
    const normalized = normalizeClaim(input, `claims[${index}]`, issues);
    return normalized ? [{ input, index, normalized }] : [];
  });
  if (issues.length) throw new X12InputError(issues);
  const [first, ...rest] = billed;
  if (!first) throw new X12InputError([{ path: 'claims', message: 'at least one claim is required' }]);
  if (!/^\d{9}$/.test(options.payer.tin)) throw new X12InputError([{ path: 'options.payer.tin', message: 'must be 9 digits' }]);
  return [first, ...rest];
}

/** One line's decision in X12 terms; a partial payment must balance (835: charge = paid + CAS). */
function decideLine(claim: BilledClaim, line: NormalizedLine, decide: Decide): Decided {
  const item = claim.input.claim.item?.find((it) => it.sequence === line.sequence);
  const path = `claims[${claim.index}].claim.item(sequence=${line.sequence})`;
  if (!item) throw new X12InputError([{ path, message: 'no billed item for the line' }]);
  const d = decide(claim.input, item, claim.index);
  if (d.kind === 'paid') return { adjustments: [], paidCents: line.chargeCents, remarks: [] };
  if (d.kind === 'denied') {
    return { adjustments: [{ group: d.group ?? 'CO', reason: d.reason, amount: line.chargeCents / 100 }], paidCents: 0, remarks: d.remarks ?? [] };
  }
  const paidCents = Math.round(d.paid * 100);
  const adjustments = d.adjustments ? [...d.adjustments] : [{ group: 'CO', reason: '45', amount: (line.chargeCents - paidCents) / 100 }];
  const adjCents = adjustments.reduce((s, a) => s + Math.round(a.amount * 100), 0);
  if (line.chargeCents - paidCents - adjCents !== 0) {
    throw new X12InputError([{ path, message: 'decision does not balance: charge must equal paid + adjustments' }]);
  }
  return { adjustments, paidCents, remarks: d.remarks ?? [] };
}

const prCents = (adjustments: readonly Adjustment[]) => adjustments.filter((a) => a.group === 'PR').reduce((s, a) => s + Math.round(a.amount * 100), 0);

/** Header: BPR (I with a check, or H notification only when nothing is paid), TRN, DTM*405, 1000A payer, 1000B payee. */
function writeHeader(buf: SegmentBuffer, totalPaid: number, first: NormalizedClaim, date: Date, options: Build835Options): void {
  if (totalPaid > 0) buf.add('BPR', 'I', formatMoney(totalPaid), 'C', 'CHK', '', '', '', '', '', '', '', '', '', '', '', ccyymmdd(date));
  else buf.add('BPR', 'H', '0', 'C', 'NON', '', '', '', '', '', '', '', '', '', '', '', ccyymmdd(date));
  buf.add('TRN', '1', options.traceNumber, `1${options.payer.tin}`); // TRN03 = 1 + payer TIN
  buf.add('DTM', '405', ccyymmdd(date)); // production date
  buf.add('N1', 'PR', options.payer.name.toUpperCase()); // 1000A payer
  buf.add('N3', '1 STATE PLAZA');
  buf.add('N4', 'ANYTOWN', 'GA', '303030000');
  if (options.payer.id) buf.add('REF', '2U', options.payer.id);
  buf.add('PER', 'BL', 'EDI SUPPORT', 'TE', '8005550100'); // payer technical contact (required in 5010)
  buf.add('N1', 'PE', first.billing.name, 'XX', first.billing.npi); // 1000B payee
  buf.add('REF', 'TJ', first.billing.ein);
  buf.add('LX', '1');
}

/** 2110 service payment: SVC, DTM*472 (or 150/151), CAS per group (six triplets a segment), REF*6R, AMT*B6, LQ*HE. */
function writeServiceLine(buf: SegmentBuffer, l: NormalizedLine, d: Decided): void {
  buf.add('SVC', ['HC', l.procedure, ...l.modifiers], formatMoney(l.chargeCents), formatMoney(d.paidCents), '', formatQuantity(l.units));
  if (l.dateTo) {
    buf.add('DTM', '150', l.dateFrom);
    buf.add('DTM', '151', l.dateTo);
  } else {
    buf.add('DTM', '472', l.dateFrom);
  }
  const groups = new Map<string, Adjustment[]>();
  for (const a of d.adjustments) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  for (const [group, adj] of groups) {
    for (let k = 0; k < adj.length; k += 6) {
      buf.add('CAS', group, ...adj.slice(k, k + 6).flatMap((a) => [a.reason, formatMoney(Math.round(a.amount * 100)), '']));
    }
  }
  buf.add('REF', '6R', l.controlNumber); // echo of 837 2400 REF*6R
  buf.add('AMT', 'B6', formatMoney(d.paidCents + prCents(d.adjustments))); // allowed amount
  for (const r of d.remarks) buf.add('LQ', 'HE', r);
}

/** 2100 claim payment: CLP (PCN, status 1, charge, paid, patient responsibility, filing indicator, ICN, POS, frequency), NM1*QC, its lines. */
function writeClaimPayment(buf: SegmentBuffer, c: NormalizedClaim, lines: readonly Decided[], ci: number, options: Build835Options): void {
  const paid = lines.reduce((s, d) => s + d.paidCents, 0);
  const pr = prCents(lines.flatMap((d) => d.adjustments));
  buf.add('CLP', c.patientControlNumber, '1', formatMoney(c.totalCents), formatMoney(paid), pr ? formatMoney(pr) : '0', c.filingIndicator, `${options.icnPrefix ?? 'ICN'}${ci + 1}`, c.pos, c.frequency);
  buf.add('NM1', 'QC', '1', c.subscriber.last, c.subscriber.first ?? '', '', '', '', 'MI', c.subscriber.memberId);
  c.lines.forEach((l, li) => {
    const d = lines[li];
    if (d) writeServiceLine(buf, l, d);
  });
}

type Decide = (claim: X12ClaimInput, item: ClaimItem, index: number) => LineDecision;

/**
 * Build a valid 835 005010X221A1 for claims and a decision per line — for tests and demos, not for payers.
 *
 * One ST per call, paying the first claim's billing provider; CLP02 is `1` (processed as primary, even for
 * denials, per X12 RFI 1423); SVC/CAS/REF*6R/AMT*B6/LQ*HE per line; balancing holds (charge = paid + CAS).
 *
 * Spec: ASC X12N 835 005010X221A1.
 *
 * @example
 * const text = build835ForTest([input], (_c, item) => (item.sequence === 1 ? { kind: 'paid' } : { kind: 'denied', reason: '197' }), {
 *   sender: { id: 'MEDICAID01' }, receiver: { id: 'SUBMITTER01' },
 *   traceNumber: 'EFT0001', payer: { name: 'State Medicaid', tin: '999999999' },
 * });
 * @category Testing
 */
export function build835ForTest(claims: readonly X12ClaimInput[], decide: Decide, options: Build835Options): string {
  const billed = billedClaims(claims, options);
  // Decide every line first: BPR02 needs the total.
  const decided = billed.map((c) => c.normalized.lines.map((l) => decideLine(c, l, decide)));
  const totalPaid = decided.flat().reduce((s, d) => s + d.paidCents, 0);
  const date = options.date ?? new Date();
  const cn = options.controlNumbers ?? { isa: 1, gs: 1, st: 1 };
  const buf = new SegmentBuffer(options.lineBreaks === false ? '~' : '~\n');
  buf.addRaw(buildIsa({ sender: options.sender, receiver: options.receiver, date, controlNumber: cn.isa, usage: options.usage ?? 'T' }));
  buf.add('GS', 'HP', options.sender.applicationCode ?? options.sender.id, options.receiver.applicationCode ?? options.receiver.id, ccyymmdd(date), hhmm(date), String(cn.gs), 'X', '005010X221A1');
  const stAt = buf.count;
  const st = formatTransactionControl(cn.st ?? 1);
  buf.add('ST', '835', st);
  writeHeader(buf, totalPaid, billed[0].normalized, date, options);
  billed.forEach((c, ci) => writeClaimPayment(buf, c.normalized, decided[ci] ?? [], ci, options));
  buf.add('SE', String(buf.count - stAt + 1), st);
  buf.add('GE', '1', String(cn.gs));
  buf.add('IEA', '1', formatInterchangeControl(cn.isa));
  return buf.drain();
}
