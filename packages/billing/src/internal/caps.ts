/** Cap windows, usage counting and prior-authorization draw-down. @internal */
import type { BillingContext, PriorAuthorization } from '../context.js';
import type { CapRule, CapWindow } from '../pack/schema.js';
import { addDays, addMonths, fiscalYearStart, monthOf } from './dates.js';

export interface Usage {
  participantId: string;
  date: string;
  code: string;
  units: number;
  priorAuthUnits: number;
}

/** First date (inclusive) of the window that ends on `dos`. */
export function windowStart(window: CapWindow, dos: string, participantId: string, ctx: BillingContext): string {
  switch (window.kind) {
    case 'day':
      return dos;
    case 'calendar-month':
      return `${monthOf(dos)}-01`;
    case 'rolling': {
      // A rolling N-month window ending on dos starts the day after the same date N months earlier.
      return addDays(addMonths(dos, -(window.months ?? 0)), 1 - (window.days ?? 0));
    }
    case 'fiscal-year':
      return fiscalYearStart(dos, window.startMonth);
    case 'episode': {
      const fy = window.fiscalYearStartMonth ? fiscalYearStart(dos, window.fiscalYearStartMonth) : '0000-01-01';
      const ep = (ctx.episodes ?? [])
        .filter((e) => e.participantId === participantId && e.start <= dos && (e.end === undefined || dos <= e.end))
        .map((e) => e.start)
        .sort()
        .at(-1);
      return ep !== undefined && ep > fy ? ep : fy;
    }
  }
}

/** Units counted by a cap in its window ending on `dos`. */
export function usedInWindow(cap: CapRule, usage: readonly Usage[], participantId: string, dos: string, ctx: BillingContext): number {
  const start = windowStart(cap.window, dos, participantId, ctx);
  let used = 0;
  for (const u of usage) {
    if (u.participantId !== participantId || u.date < start || u.date > dos) continue;
    if (cap.codes && !cap.codes.includes(u.code)) continue;
    used += u.units;
  }
  return used;
}

/**
 * Units of an authorization not yet drawn: its units, less `unitsUsed` (claims outside peer-fhir) and the units the
 * billed history drew from it (entries naming its reference for the same participant and code).
 */
export function authUnitsLeft(auth: PriorAuthorization, ctx: BillingContext): number {
  let drawn = auth.unitsUsed;
  for (const h of ctx.history ?? []) {
    if (h.priorAuthReference === auth.reference && h.participantId === auth.participantId && h.code === auth.code) drawn += h.priorAuthUnits;
  }
  return auth.units - drawn;
}

/** Authorizations for the participant and code that cover the date, oldest first, with units left. */
export function openAuthorizations(ctx: BillingContext, remaining: Map<string, number>, participantId: string, code: string, dos: string): PriorAuthorization[] {
  return (ctx.priorAuthorizations ?? [])
    .filter((a) => a.participantId === participantId && a.code === code && a.period.start <= dos && dos <= a.period.end)
    .filter((a) => (remaining.get(a.id) ?? authUnitsLeft(a, ctx)) > 0)
    .sort((a, b) => (a.period.start === b.period.start ? a.id.localeCompare(b.id) : a.period.start.localeCompare(b.period.start)));
}
