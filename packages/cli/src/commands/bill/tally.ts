/**
 * `bill`'s report, summed chunk by chunk of participants: totals, figures by code and program, holds, corrections and
 * loaded inputs. What it keeps is the report's figures and the ids of the period's encounters, not the period's
 * records; each chunk's held items go to the spool as one sorted run (report-stream.ts), and are kept in memory only
 * when the caller keeps them (`runBill`'s result). The order of every list is fixed at the end, so any chunking gives
 * the same report.
 */
import type { BillingResult, BillingTotals } from '@peer-fhir/billing';
import type { PeerEncounter } from '@peer-fhir/core';
import type { BillReport } from '../bill.js';
import type { BillCorrectionSummary } from './corrections.js';
import type { BillingInputs } from './inputs.js';
import { fillReport } from './report.js';
import { byReportOrder, type HeldAt, type HeldEntry, type HeldSpool } from './report-stream.js';

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
  /** Where each chunk's held items go, one sorted run per chunk. */
  readonly #spool: HeldSpool;
  /** Every held item with its encounter's start, when kept (the evaluation's order is restored at the end). */
  readonly #kept: HeldAt[] | undefined;
  readonly #encounters = new Set<string>();
  #cents = 0;
  #held = 0;
  #peakHeldInMemory = 0;

  constructor(base: Pick<BillReport, 'pack' | 'period' | 'files'>, held: { spool: HeldSpool; keep: boolean }) {
    this.#spool = held.spool;
    this.#kept = held.keep ? [] : undefined;
    const totals: BillingTotals = { items: 0, billed: 0, partial: 0, held: 0, requestedUnits: 0, billedUnits: 0, heldUnits: 0, charge: 0, linesWithoutRate: 0 };
    const corrections: BillCorrectionSummary = { priorClaims: 0, alreadyBilled: 0, unchanged: 0, replacements: 0, voids: 0, awaitingPayerClaimNumber: [], notJudged: 0 };
    this.#report = {
      pack: base.pack, period: base.period, encounters: 0, totals, claims: 0, lines: 0, byCode: {}, byProgram: {}, holdsByCode: {}, held: [], files: base.files,
      disclosuresRecorded: 0, corrections, loaded: { serviceOrders: 0, priorAuthorizations: 0, billedLines: 0, unreadable: 0 },
    };
  }

  /** Items held for a reason to fix (not only already billed), so far. */
  get held(): number {
    return this.#held;
  }

  /** The most held items this tally held in memory at once: one chunk's, or every one when they are kept. */
  get peakHeldInMemory(): number {
    return this.#peakHeldInMemory;
  }

  get unreadable(): number {
    return this.#report.loaded?.unreadable ?? 0;
  }

  /** One chunk's figures added, its held items spooled as one run. */
  async add(c: ChunkFigures): Promise<void> {
    const r = this.#report;
    fillReport(r, c.result, c.encounters);
    await this.#spoolHeld(r.held.splice(0), c.encounters);
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

  /** A chunk's held items with their encounters' start (an unreadable start sorts as 0), spooled, and kept when asked. */
  async #spoolHeld(held: readonly HeldEntry[], encounters: readonly PeerEncounter[]): Promise<void> {
    const start = new Map(encounters.map((e) => [e.id, Date.parse(e.start)]));
    const run = held.map((h) => ({ h, at: start.get(h.encounterId) || 0 }));
    this.#held += run.length;
    this.#kept?.push(...run);
    this.#peakHeldInMemory = Math.max(this.#peakHeldInMemory, this.#kept?.length ?? run.length);
    await this.#spool.run(run);
  }

  /**
   * The report, lists in the order one evaluation of the period gives (held items by encounter start, id,
   * participant); `held` is empty unless the held items are kept (the spool has them all).
   */
  report(written: { claims: number; disclosuresRecorded: number }): BillReport {
    const r = this.#report;
    const order = [...(this.#kept ?? [])].sort(byReportOrder);
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
