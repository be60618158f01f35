/**
 * Units per passing item, for `evaluate`. Per-contact models give each item its own units; aggregated models (per-day
 * aggregate, monthly accumulation) add an item's minutes to its day's or month's running total and hand the item the
 * units that total gains.
 * @module
 */
import type { BillingItem } from './internal/item.js';
import { buildModifiers } from './internal/lines.js';
import { monthOf } from './internal/dates.js';
import type { RulePack } from './pack/schema.js';
import { calculateMonthlyUnits, calculateUnits } from './units.js';

/** Units one item asks for under one procedure code, before caps and prior authorization. */
export interface Pending {
  item: BillingItem;
  code: string;
  units: number;
}

/** Units per item, and for items whose minutes added no unit of their own the key of the item that carries them. */
export interface ComputedUnits {
  pending: Pending[];
  countedIn: Map<string, string>;
}

/** Standalone units of an item (what it would ask for on its own), for held items. */
export function standaloneUnits(item: BillingItem, pack: RulePack): number {
  if (pack.billingModel === 'monthly-accumulation' || !pack.units) return 0;
  const m = pack.units.method;
  const method = m.kind === 'per-day-aggregate' ? (m.inner === 'midpoint' ? 'midpoint-per-contact' : m.inner) : m;
  return calculateUnits(item.minutes, method, pack.units.unitMinutes).units;
}

/** The aggregation group of an item: its participant's month, or its participant's day, code and modifiers. */
function groupKey(item: BillingItem, pack: RulePack, monthly: boolean): string {
  return monthly
    ? `${item.attendee.participantId}|${monthOf(item.dos)}`
    : `${item.attendee.participantId}|${item.dos}|${item.encounter.serviceCode}|${buildModifiers(item, pack).join('+')}`;
}

/** Units per code of a running total of minutes. */
function unitsOfTotal(minutes: number, item: BillingItem, pack: RulePack, monthly: boolean): Map<string, number> {
  const after = new Map<string, number>();
  if (monthly) {
    for (const l of calculateMonthlyUnits(minutes, pack.monthly as NonNullable<RulePack['monthly']>).lines) after.set(l.code, l.units);
  } else {
    const u = pack.units as NonNullable<RulePack['units']>;
    after.set(item.encounter.serviceCode, calculateUnits(minutes, u.method, u.unitMinutes).units);
  }
  return after;
}

/** One group, in order: each item gets the units its minutes add to the group's total (per code). */
function groupUnits(list: readonly BillingItem[], pack: RulePack, monthly: boolean, out: ComputedUnits): void {
  let minutes = 0;
  let before = new Map<string, number>();
  const carriers: string[] = [];
  const perItem: { item: BillingItem; lines: Pending[] }[] = [];
  for (const item of list) {
    minutes += item.minutes;
    const after = unitsOfTotal(minutes, item, pack, monthly);
    const lines: Pending[] = [];
    for (const [code, units] of after) {
      const delta = units - (before.get(code) ?? 0);
      if (delta > 0) lines.push({ item, code, units: delta });
    }
    before = after;
    perItem.push({ item, lines });
    if (lines.length) carriers.push(item.key);
  }
  // An item that added no unit is counted in the next item that did (else the group's last carrier).
  perItem.forEach(({ item, lines }, idx) => {
    out.pending.push(...lines);
    const lastCarrier = carriers.at(-1);
    if (lines.length === 0 && lastCarrier !== undefined) {
      const next = perItem.slice(idx + 1).find((p) => p.lines.length > 0)?.item.key;
      out.countedIn.set(item.key, next ?? lastCarrier);
    }
  });
}

/** Units per passing item; aggregated models hand each item the units its time adds to the day's or month's total. */
export function computeUnits(passing: readonly BillingItem[], pack: RulePack): ComputedUnits {
  const out: ComputedUnits = { pending: [], countedIn: new Map() };
  const monthly = pack.billingModel === 'monthly-accumulation';
  const aggregate = monthly || pack.units?.method.kind === 'per-day-aggregate';
  if (!aggregate) {
    const u = pack.units as NonNullable<RulePack['units']>;
    for (const item of passing) out.pending.push({ item, code: item.encounter.serviceCode, units: calculateUnits(item.minutes, u.method, u.unitMinutes).units });
    return out;
  }
  const groups = new Map<string, BillingItem[]>();
  for (const item of passing) {
    const k = groupKey(item, pack, monthly);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  for (const list of groups.values()) groupUnits(list, pack, monthly, out);
  return out;
}
