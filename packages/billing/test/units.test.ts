import { describe, expect, it } from 'vitest';
import { calculateMonthlyUnits, calculateUnits, getPack } from '../src/index.js';

describe('CMS 8-minute rule (Pub 100-04 ch.5 §20.2)', () => {
  const table: [number, number][] = [
    [0, 0], [7, 0], [8, 1], [22, 1], [23, 2], [37, 2], [38, 3], [52, 3], [53, 4], [67, 4], [68, 5], [83, 6], [98, 7], [113, 8],
  ];
  for (const [minutes, units] of table) {
    it(`rounds ${minutes} minutes to ${units} unit${units === 1 ? '' : 's'} under the 8-minute rule`, () => {
      expect(calculateUnits(minutes, 'cms-8-minute').units).toBe(units);
    });
  }
  it('reports the minutes that justify the units', () => {
    expect(calculateUnits(52, 'cms-8-minute')).toMatchObject({ units: 3, minutesCounted: 52, minutesPerUnit: 15 });
    expect(calculateUnits(7, 'cms-8-minute').minutesCounted).toBe(0);
  });
  it('refuses unit sizes other than 15 minutes', () => {
    expect(() => calculateUnits(30, 'cms-8-minute', 30)).toThrow(RangeError);
  });
});

describe('full units only', () => {
  it('rounds 29 minutes down to 1 unit', () => {
    expect(calculateUnits(29, 'full-units-only')).toMatchObject({ units: 1, minutesCounted: 15 });
  });
  it('rounds 30 minutes to 2 units', () => {
    expect(calculateUnits(30, 'full-units-only').units).toBe(2);
  });
});

describe('midpoint per contact', () => {
  it('counts a unit once more than half of it is provided', () => {
    expect(calculateUnits(7, 'midpoint-per-contact').units).toBe(0);
    expect(calculateUnits(8, 'midpoint-per-contact').units).toBe(1);
    expect(calculateUnits(15, 'midpoint-per-contact', 30).units).toBe(0);
    expect(calculateUnits(16, 'midpoint-per-contact', 30).units).toBe(1);
  });
  it('rounds each contact on its own', () => {
    const r = calculateUnits([{ minutes: 10 }, { minutes: 10 }, { minutes: 10 }], 'midpoint-per-contact');
    expect(r.units).toBe(3);
    expect(r.breakdown.map((b) => b.units)).toEqual([1, 1, 1]);
  });
});

describe('per-day aggregation', () => {
  const day = [{ minutes: 10, date: '2025-01-02' }, { minutes: 10, date: '2025-01-02' }, { minutes: 10, date: '2025-01-02' }];
  it('gives three 10-minute contacts on one day 2 units (30 minutes) where per-contact rounding gives 3', () => {
    expect(calculateUnits(day, 'cms-8-minute').units).toBe(3);
    expect(calculateUnits(day, { kind: 'per-day-aggregate', inner: 'cms-8-minute' }).units).toBe(2);
  });
  it('rounds each day separately', () => {
    const r = calculateUnits([...day, { minutes: 7, date: '2025-01-03' }], { kind: 'per-day-aggregate', inner: 'cms-8-minute' });
    expect(r.breakdown).toEqual([{ date: '2025-01-02', minutes: 30, units: 2 }, { date: '2025-01-03', minutes: 7, units: 0 }]);
  });
  it('applies full-units-only to the day total', () => {
    expect(calculateUnits(day, { kind: 'per-day-aggregate', inner: 'full-units-only' }).units).toBe(2);
  });
  it('explains its answer without PHI', () => {
    expect(calculateUnits(day, { kind: 'per-day-aggregate', inner: 'cms-8-minute' }).explanation).toMatch(/30 min in 3 contacts -> 2 units/);
  });
});

describe('monthly accumulation (Medicare PIN-PS G0140 + G0146)', () => {
  const rule = getPack('medicare-pin-ps-2024').monthly!;
  it('bills nothing below the base threshold', () => {
    expect(calculateMonthlyUnits(59, rule).lines).toEqual([]);
  });
  it('bills G0140 once for 60 minutes', () => {
    expect(calculateMonthlyUnits(60, rule).lines).toEqual([{ code: 'G0140', units: 1 }]);
  });
  it('adds G0146 for each further 30 minutes', () => {
    expect(calculateMonthlyUnits(89, rule).lines).toEqual([{ code: 'G0140', units: 1 }]);
    expect(calculateMonthlyUnits(90, rule).lines).toEqual([{ code: 'G0140', units: 1 }, { code: 'G0146', units: 1 }]);
    expect(calculateMonthlyUnits(150, rule).lines).toEqual([{ code: 'G0140', units: 1 }, { code: 'G0146', units: 3 }]);
  });
  it('honours a lower minimum when a pack sets one', () => {
    const midpoint = { ...rule, baseMinimumMinutes: 31, addOnMinimumMinutes: 16 };
    expect(calculateMonthlyUnits(31, midpoint).lines).toEqual([{ code: 'G0140', units: 1 }]);
    expect(calculateMonthlyUnits(76, midpoint).lines).toEqual([{ code: 'G0140', units: 1 }, { code: 'G0146', units: 1 }]);
  });
});
