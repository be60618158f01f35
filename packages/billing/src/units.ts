/**
 * Minutes -> units for time-based codes, and the monthly base + add-on model of Medicare PIN-PS.
 * @module
 */
import type { MonthlyAccumulationRule, RoundingMethod } from './pack/schema.js';

/**
 * One contact's documented minutes, optionally dated (`YYYY-MM-DD`) for per-day aggregation.
 *
 * @see https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/Downloads/clm104c05.pdf
 * @example
 * ```ts
 * calculateUnits([{ minutes: 10, date: '2025-01-02' }], 'cms-8-minute');
 * ```
 * @category Units
 */
export interface Contact {
  minutes: number;
  date?: string;
}

/**
 * Units and the minutes that justify them.
 *
 * @see https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/Downloads/clm104c05.pdf
 * @example
 * ```ts
 * calculateUnits(29, 'full-units-only'); // { units: 1, minutesCounted: 15, minutesPerUnit: 15, ... }
 * ```
 * @category Units
 */
export interface UnitResult {
  units: number;
  /** Minutes that support the units billed (for full-units-only, only the whole units' minutes). */
  minutesCounted: number;
  /** The unit size used. */
  minutesPerUnit: number;
  /** How the units were reached, in words; contains no PHI. */
  explanation: string;
  /** Units per contact (or per day for per-day aggregation), in input order. */
  breakdown: { date?: string; minutes: number; units: number }[];
}

/**
 * Either a rounding method object from a pack or its `kind` name (per-day-aggregate needs the object).
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#units
 * @example
 * ```ts
 * calculateUnits(38, 'midpoint-per-contact'); // 3 units
 * ```
 * @category Units
 */
export type RoundingInput = RoundingMethod | 'cms-8-minute' | 'midpoint-per-contact' | 'full-units-only';

// CMS Pub 100-04 ch.5 §20.2: 1 unit >= 8 min, 2 >= 23, 3 >= 38, 4 >= 53 ... (each further unit at 15 n + 8).
function eightMinute(minutes: number): number {
  const whole = Math.floor(minutes / 15);
  return whole + (minutes - whole * 15 >= 8 ? 1 : 0);
}

// A unit counts once more than half of it is provided (7.5 of 15 minutes -> 8).
function midpoint(minutes: number, unit: number): number {
  const whole = Math.floor(minutes / unit);
  return whole + (minutes - whole * unit > unit / 2 ? 1 : 0);
}

function roundOnce(minutes: number, kind: 'cms-8-minute' | 'midpoint' | 'full-units-only', unit: number): { units: number; counted: number } {
  if (kind === 'full-units-only') {
    const units = Math.floor(minutes / unit);
    return { units, counted: units * unit };
  }
  const units = kind === 'cms-8-minute' ? eightMinute(minutes) : midpoint(minutes, unit);
  return { units, counted: units > 0 ? minutes : 0 };
}

function normalise(input: number | readonly Contact[]): Contact[] {
  const list = typeof input === 'number' ? [{ minutes: input }] : [...input];
  for (const c of list) {
    if (!Number.isFinite(c.minutes) || c.minutes < 0) throw new RangeError('minutes must be a finite number >= 0');
  }
  return list.map((c) => ({ ...c, minutes: Math.floor(c.minutes) }));
}

/**
 * Turn documented minutes into billable units under a pack's rounding method.
 *
 * - `cms-8-minute`: the CMS table, per contact: 8–22 min = 1 unit, 23–37 = 2, 38–52 = 3, 53–67 = 4 … (15-minute units only).
 *   Medicare itself totals a day's timed minutes; use `per-day-aggregate` with inner `cms-8-minute` for that.
 * - `midpoint-per-contact`: a unit counts once more than half of it is provided, per contact.
 * - `full-units-only`: only whole units (29 min -> 1, 30 -> 2).
 * - `per-day-aggregate`: contacts are summed per `date`, then the inner method is applied once per day.
 *
 * @param input - documented minutes, or the contacts of a day for per-day aggregation
 * @param method - the pack's rounding method
 * @param unitMinutes - minutes in one unit (default 15)
 * @returns the billable units and how they were counted
 * @see https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/Downloads/clm104c05.pdf (Pub 100-04 ch.5 §20.2)
 * @example
 * ```ts
 * calculateUnits(52, 'cms-8-minute').units; // 3
 * calculateUnits([{ minutes: 10, date: '2025-01-02' }, { minutes: 10, date: '2025-01-02' }, { minutes: 10, date: '2025-01-02' }],
 *   { kind: 'per-day-aggregate', inner: 'cms-8-minute' }).units; // 2 (30 minutes that day)
 * ```
 * @category Units
 */
export function calculateUnits(input: number | readonly Contact[], method: RoundingInput, unitMinutes = 15): UnitResult {
  if (!Number.isInteger(unitMinutes) || unitMinutes <= 0) throw new RangeError('unitMinutes must be a positive integer');
  const m: RoundingMethod = typeof method === 'string' ? { kind: method } : method;
  const innerKind = m.kind === 'per-day-aggregate' ? m.inner : m.kind === 'midpoint-per-contact' ? 'midpoint' : m.kind;
  if (innerKind === 'cms-8-minute' && unitMinutes !== 15) throw new RangeError('the CMS 8-minute table is defined for 15-minute units');
  const contacts = normalise(input);

  let groups: { date?: string; minutes: number }[];
  if (m.kind === 'per-day-aggregate') {
    const byDay = new Map<string, number>();
    for (const c of contacts) byDay.set(c.date ?? '', (byDay.get(c.date ?? '') ?? 0) + c.minutes);
    groups = [...byDay].map(([date, minutes]) => (date ? { date, minutes } : { minutes }));
  } else {
    groups = contacts;
  }

  const breakdown = groups.map((g) => {
    const r = roundOnce(g.minutes, innerKind, unitMinutes);
    return { ...(g.date ? { date: g.date } : {}), minutes: g.minutes, units: r.units, counted: r.counted };
  });
  const units = breakdown.reduce((s, b) => s + b.units, 0);
  const minutesCounted = breakdown.reduce((s, b) => s + b.counted, 0);
  const total = contacts.reduce((s, c) => s + c.minutes, 0);
  const label = {
    'cms-8-minute': 'CMS 8-minute rule',
    midpoint: 'midpoint rule',
    'full-units-only': 'full units only',
  }[innerKind];
  const scope = m.kind === 'per-day-aggregate' ? `per day (${groups.length} day${groups.length === 1 ? '' : 's'})` : `per contact (${groups.length})`;
  const explanation =
    `${total} min in ${contacts.length} contact${contacts.length === 1 ? '' : 's'} -> ${units} unit${units === 1 ? '' : 's'} of ${unitMinutes} min ` +
    `by the ${label}, ${scope}; ${minutesCounted} min support the units.`;
  return { units, minutesCounted, minutesPerUnit: unitMinutes, explanation, breakdown: breakdown.map(({ counted: _c, ...b }) => b) };
}

/**
 * The monthly codes and units a month's minutes support.
 *
 * @see http://hcpcs.codes/g-codes/G0146/
 * @example
 * ```ts
 * calculateMonthlyUnits(60, rule).lines; // [{ code: 'G0140', units: 1 }]
 * ```
 * @category Units
 */
export interface MonthlyResult {
  lines: { code: string; units: number }[];
  minutesCounted: number;
  explanation: string;
}

/**
 * Monthly base + add-on time codes (Medicare PIN-PS: G0140 for the first 60 minutes per calendar month, G0146 per
 * additional 30 minutes). The least reportable minutes come from the pack (the seed pack requires full blocks because the
 * CMS minimum-time rule is not confirmed).
 *
 * @param minutes - the participant's documented minutes in the calendar month
 * @param rule - the pack's monthly accumulation rule
 * @returns the base and add-on codes with their units
 * @see http://hcpcs.codes/g-codes/G0146/
 * @example
 * ```ts
 * const rule = getPack('medicare-pin-ps-2024').monthly!;
 * calculateMonthlyUnits(90, rule).lines; // [{ code: 'G0140', units: 1 }, { code: 'G0146', units: 1 }]
 * ```
 * @category Units
 */
export function calculateMonthlyUnits(minutes: number, rule: MonthlyAccumulationRule): MonthlyResult {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError('minutes must be a finite number >= 0');
  const total = Math.floor(minutes);
  if (total < rule.baseMinimumMinutes) {
    return { lines: [], minutesCounted: 0, explanation: `${total} min this month is below the ${rule.baseMinimumMinutes} min needed for ${rule.baseCode}.` };
  }
  let addOn = 0;
  let rest = total - rule.baseMinutes;
  while (rest >= rule.addOnMinimumMinutes && (rule.maxAddOnUnits === undefined || addOn < rule.maxAddOnUnits)) {
    addOn++;
    rest -= rule.addOnMinutes;
  }
  const lines = [{ code: rule.baseCode, units: 1 }, ...(addOn > 0 ? [{ code: rule.addOnCode, units: addOn }] : [])];
  return {
    lines,
    minutesCounted: total,
    explanation: `${total} min this month -> ${rule.baseCode} x1${addOn > 0 ? ` + ${rule.addOnCode} x${addOn}` : ''}.`,
  };
}
