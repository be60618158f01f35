/**
 * `bill`'s report, summed chunk by chunk of participants: totals, figures by code and program, holds, corrections and
 * loaded inputs. What it keeps is the report itself (one entry per held item) and the ids of the period's encounters,
 * not the period's records; the order of every list is fixed at the end, so any chunking gives the same report.
 */
import type { BillingResult, BillingTotals } from '@peer-fhir/billing';
import type { PeerEncounter } from '@peer-fhir/core';
import type { BillReport } from '../bill.js';
import type { BillCorrectionSummary } from './corrections.js';
import type { BillingInputs } from './inputs.js';
import { fillReport } from './report.js';

/** One chunk's part of the report. */
export interface ChunkFigures {
  result: BillingResult;
  encounters: readonly PeerEncounter[];
  corrections: BillCorrectionSummary;
  stored: BillingInputs;
}

const TOTALS: readonly (keyof BillingTotals)[] = ['items', 'billed', 'partial', 'held', 'requestedUnits', 'billedUnits', 'heldUnits', 'linesWithoutRate'];
const SUMMED: readonly (keyof Omit<BillCorrectionSummary, 'awaitingPayerClaimNumber'>)[] = ['priorClaims', 'alreadyBilled', 'unchanged', 'replacements', 'voids', 'notJudged'];

/** Keys in code-unit order (a chunk adds the codes it billed in its own order). */
const sortedKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The report of a period, chunk by chunk. */
export class BillTally {
  readonly #report: BillReport;
  /** Start (ms) of each held item's encounter, in `report.held`'s order: the evaluation's order is restored at the end. */
  readonly #heldAt: number[] = [];
  readonly #encounters = new Set<string>();
  #cents = 0;

  constructor(base: Pick<BillReport, 'pack' | 'period' | 'files'>) {
    const totals: BillingTotals = { items: 0, billed: 0, partial: 0, held: 0, requestedUnits: 0, billedUnits: 0, heldUnits: 0, charge: 0, linesWithoutRate: 0 };
    const corrections: BillCorrectionSummary = { priorClaims: 0, alreadyBilled: 0, unchanged: 0, replacements: 0, voids: 0, awaitingPayerClaimNumber: [], notJudged: 0 };
    this.#report = {
      pack: base.pack, period: base.period, encounters: 0, totals, claims: 0, lines: 0, byCode: {}, byProgram: {}, holdsByCode: {}, held: [], files: base.files,
      disclosuresRecorded: 0, corrections, loaded: { serviceOrders: 0, priorAuthorizations: 0, billedLines: 0, unreadable: 0 },
    };
  }

  /** Items held for a reason to fix (not only already billed), so far. */
  get held(): number {
    return this.#report.held.length;
  }

  get unreadable(): number {
    return this.#report.loaded?.unreadable ?? 0;
  }

  add(c: ChunkFigures): void {
    const r = this.#report;
    const before = r.held.length;
    fillReport(r, c.result, c.encounters);
    const start = new Map(c.encounters.map((e) => [e.id, Date.parse(e.start)]));
    for (const h of r.held.slice(before)) this.#heldAt.push(start.get(h.encounterId) ?? 0);
    for (const e of c.encounters) this.#encounters.add(e.id);
    for (const k of TOTALS) r.totals[k] += c.result.totals[k];
    this.#cents += Math.round(c.result.totals.charge * 100);
    r.lines += c.result.lines.length;
    const sum = r.corrections as BillCorrectionSummary;
    for (const k of SUMMED) sum[k] += c.corrections[k];
    sum.awaitingPayerClaimNumber.push(...c.corrections.awaitingPayerClaimNumber);
    const loaded = r.loaded as NonNullable<BillReport['loaded']>;
    loaded.serviceOrders += c.stored.serviceOrders.length;
    loaded.priorAuthorizations += c.stored.priorAuthorizations.length;
    loaded.billedLines += c.stored.history.length;
    loaded.unreadable += c.stored.unreadable;
  }

  /** The report, lists in the order one evaluation of the period gives (held items by encounter start, id, participant). */
  report(written: { claims: number; disclosuresRecorded: number }): BillReport {
    const r = this.#report;
    const order = r.held.map((h, i) => ({ h, at: this.#heldAt[i] ?? 0 }));
    order.sort((a, b) => a.at - b.at || a.h.encounterId.localeCompare(b.h.encounterId) || a.h.participantId.localeCompare(b.h.participantId));
    return {
      ...r,
      encounters: this.#encounters.size,
      totals: { ...r.totals, charge: this.#cents / 100 },
      claims: written.claims,
      byCode: sortedKeys(r.byCode),
      byProgram: sortedKeys(r.byProgram),
      holdsByCode: sortedKeys(r.holdsByCode),
      held: order.map((o) => o.h),
      disclosuresRecorded: written.disclosuresRecorded,
    };
  }
}
