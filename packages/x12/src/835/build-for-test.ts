import type { ClaimItem } from 'fhir/r4.js';
import type { X12ClaimInput } from '../837p/input.js';
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
export function build835ForTest(
  claims: readonly X12ClaimInput[],
  decide: (claim: X12ClaimInput, item: ClaimItem, index: number) => LineDecision,
  options: Build835Options,
): string {
  const issues: X12Issue[] = [];
  const normalized = claims.map((c, i) => normalizeClaim(c, `claims[${i}]`, issues));
  if (issues.length) throw new X12InputError(issues);
  if (normalized.length === 0) throw new X12InputError([{ path: 'claims', message: 'at least one claim is required' }]);
  if (!/^\d{9}$/.test(options.payer.tin)) throw new X12InputError([{ path: 'options.payer.tin', message: 'must be 9 digits' }]);
  const date = options.date ?? new Date();
  const cn = options.controlNumbers ?? { isa: 1, gs: 1, st: 1 };
  const buf = new SegmentBuffer(options.lineBreaks === false ? '~' : '~\n');
  buf.addRaw(buildIsa({ sender: options.sender, receiver: options.receiver, date, controlNumber: cn.isa, usage: options.usage ?? 'T' }));
  buf.add('GS', 'HP', options.sender.applicationCode ?? options.sender.id, options.receiver.applicationCode ?? options.receiver.id, ccyymmdd(date), hhmm(date), String(cn.gs), 'X', '005010X221A1');
  const stAt = buf.count;
  const st = formatTransactionControl(cn.st ?? 1);
  buf.add('ST', '835', st);

  // Decide every line first: BPR02 needs the total.
  type Decided = { adjustments: Adjustment[]; paidCents: number; remarks: readonly string[] };
  const decided: Decided[][] = normalized.map((c, ci) =>
    c!.lines.map((l) => {
      const item = claims[ci]!.claim.item!.find((it) => it.sequence === l.sequence)!;
      const d = decide(claims[ci]!, item, ci);
      if (d.kind === 'paid') return { adjustments: [], paidCents: l.chargeCents, remarks: [] };
      if (d.kind === 'denied') {
        return { adjustments: [{ group: d.group ?? 'CO', reason: d.reason, amount: l.chargeCents / 100 }], paidCents: 0, remarks: d.remarks ?? [] };
      }
      const paidCents = Math.round(d.paid * 100);
      const adjustments = d.adjustments ? [...d.adjustments] : [{ group: 'CO', reason: '45', amount: (l.chargeCents - paidCents) / 100 }];
      const adjCents = adjustments.reduce((s, a) => s + Math.round(a.amount * 100), 0);
      if (l.chargeCents - paidCents - adjCents !== 0) {
        throw new X12InputError([{ path: `claims[${ci}].claim.item(sequence=${l.sequence})`, message: 'decision does not balance: charge must equal paid + adjustments' }]);
      }
      return { adjustments, paidCents, remarks: d.remarks ?? [] };
    }),
  );
  const totalPaid = decided.flat().reduce((s, d) => s + d.paidCents, 0);
  const first = normalized[0]!;

  // BPR: I = remittance with payment (CHK), H = notification only when nothing is paid; BPR16 payment date
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

  normalized.forEach((c, ci) => {
    const lines = decided[ci]!;
    const paid = lines.reduce((s, d) => s + d.paidCents, 0);
    const pr = lines.flatMap((d) => d.adjustments).filter((a) => a.group === 'PR').reduce((s, a) => s + Math.round(a.amount * 100), 0);
    // 2100 CLP: PCN, status 1, charge, paid, patient responsibility, filing indicator, ICN, POS, frequency
    buf.add('CLP', c!.patientControlNumber, '1', formatMoney(c!.totalCents), formatMoney(paid), pr ? formatMoney(pr) : '0', c!.filingIndicator, `${options.icnPrefix ?? 'ICN'}${ci + 1}`, c!.pos, c!.frequency);
    buf.add('NM1', 'QC', '1', c!.subscriber.last, c!.subscriber.first ?? '', '', '', '', 'MI', c!.subscriber.memberId);
    c!.lines.forEach((l, li) => {
      const d = lines[li]!;
      buf.add('SVC', ['HC', l.procedure, ...l.modifiers], formatMoney(l.chargeCents), formatMoney(d.paidCents), '', formatQuantity(l.units)); // 2110 SVC
      if (l.dateTo) {
        buf.add('DTM', '150', l.dateFrom);
        buf.add('DTM', '151', l.dateTo);
      } else {
        buf.add('DTM', '472', l.dateFrom);
      }
      // CAS: one segment per group, up to 6 reason/amount/quantity triplets
      const groups = new Map<string, Adjustment[]>();
      for (const a of d.adjustments) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
      for (const [group, adj] of groups) {
        for (let k = 0; k < adj.length; k += 6) {
          buf.add('CAS', group, ...adj.slice(k, k + 6).flatMap((a) => [a.reason, formatMoney(Math.round(a.amount * 100)), '']));
        }
      }
      buf.add('REF', '6R', l.controlNumber); // echo of 837 2400 REF*6R
      const allowed = d.paidCents + d.adjustments.filter((a) => a.group === 'PR').reduce((s, a) => s + Math.round(a.amount * 100), 0);
      buf.add('AMT', 'B6', formatMoney(allowed)); // allowed amount
      for (const r of d.remarks) buf.add('LQ', 'HE', r);
    });
  });
  buf.add('SE', String(buf.count - stAt + 1), st);
  buf.add('GE', '1', String(cn.gs));
  buf.add('IEA', '1', formatInterchangeControl(cn.isa));
  return buf.drain();
}
