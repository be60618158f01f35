/**
 * A year of synthetic encounters through every seed pack: nothing is dropped, totals reconcile, no cap is exceeded
 * (recomputed here from the billed lines), and every Claim validates.
 */
import { describe, expect, it } from 'vitest';
import { PeerEncounter, type Participant } from '@peer-fhir/core';
import { buildClaims, evaluate, listPacks, type BillingContext, type BillingResult, type RulePack } from '../src/index.js';
import { validationProblems } from '../../../test/support/validators.js';
import { context, part2Consent, participant, plan, specialist, ORG_NPI, PEER_NPI } from './support/factories.js';

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T };
}

const pad = (n: number) => String(n).padStart(2, '0');

function yearOfEncounters(pack: RulePack, seed: number): BillingContext {
  const r = rng(seed);
  const ids = Array.from({ length: 8 }, (_, i) => `p-${i + 1}`);
  const participants: Participant[] = ids.map((id, i) => participant({ id, birthDate: i === 7 ? '2006-03-01' : `19${70 + i}-0${1 + (i % 9)}-15` }));
  const service = pack.services[0]!;
  const programs = service.programs ?? ['mental-health', 'substance-use', 'co-occurring'];
  const modalities = ['in-person', 'in-person', 'in-person', 'video', 'audio-only'] as const;
  const encounters: PeerEncounter[] = [];
  let n = 0;
  for (let month = 1; month <= 12; month++) {
    for (let k = 0; k < 24; k++) {
      const day = r.int(1, 28);
      const date = `2025-${pad(month)}-${pad(day)}`;
      const startMin = r.int(8, 16) * 60 + r.pick([0, 15, 30, 45]);
      const minutes = r.pick([5, 7, 8, 10, 22, 23, 30, 45, 52, 53, 60, 90, 120, 180, 240, 300]);
      const group = service.modes.includes('group') && r.next() < 0.2;
      const size = group ? r.int(2, 14) : 1;
      const attendees = [...ids].sort(() => r.next() - 0.5).slice(0, size).map((participantId) => ({
        participantId,
        diagnoses: r.next() < 0.05 ? [] : [r.pick(['F11.20', 'F10.20', 'F33.1', 'F20.9', 'F43.10', 'F41.1', 'Z59.00'])],
      }));
      const program = r.pick(programs);
      const modality = r.pick(modalities);
      const pos = modality === 'in-person' ? r.pick(['53', '11', '12', '57']) : r.pick(['02', '10']);
      const t = (m: number) => `${date}T${pad(Math.floor(m / 60))}:${pad(m % 60)}:00-05:00`;
      encounters.push(
        PeerEncounter.parse({
          id: `y${seed}-${++n}`,
          mode: group ? 'group' : 'individual',
          ...(group ? { groupId: `grp-${n}` } : {}),
          attendees,
          status: r.next() < 0.03 ? 'cancelled' : 'finished',
          specialistNpi: PEER_NPI,
          organizationNpi: ORG_NPI,
          start: t(startMin),
          end: t(startMin + minutes),
          modality,
          setting: 'community',
          program,
          placeOfService: pos,
          serviceCode: service.code,
          part2: program !== 'mental-health' && r.next() < 0.5,
        }),
      );
    }
  }
  return context(pack, {
    encounters,
    participants,
    specialists: [specialist()],
    // p-3 has no plan and p-4 no consent; p-5 has no service order; p-6 holds a prior authorization.
    plans: ids.filter((id) => id !== 'p-3').map((id, i) => plan({ id: `plan-${i}`, participantId: id, reviewDue: '2026-06-30',
      signatures: (['participant', 'peer', 'clinician'] as const).map((role) => ({ role, signedAt: `2025-0${1 + (i % 6)}-02T09:00:00-05:00` })) })),
    consents: ids.filter((id) => id !== 'p-4').map((id, i) => part2Consent({ id: `c-${i}`, participantId: id })),
    serviceOrders: ids.filter((id) => id !== 'p-5').map((id, i) => ({ id: `so-${i}`, participantId: id, signedDate: '2024-12-01' })),
    priorAuthorizations: [{ id: 'pa-6', participantId: 'p-6', code: service.code, period: { start: '2025-01-01', end: '2025-12-31' }, units: 40, unitsUsed: 0, reference: 'AUTH-6' }],
    history: [{ participantId: 'p-2', date: '2024-12-20', code: service.code, units: 20, priorAuthUnits: 0 }],
  });
}

// Independent window arithmetic for the cap kinds the seed packs use.
function windowContains(pack: RulePack, cap: RulePack['caps'][number], dos: string, d: string): boolean {
  if (d > dos) return false;
  const w = cap.window;
  if (w.kind === 'day') return d === dos;
  if (w.kind === 'calendar-month') return d.slice(0, 7) === dos.slice(0, 7);
  if (w.kind === 'rolling') {
    const end = new Date(`${dos}T00:00:00Z`);
    const start = new Date(end);
    start.setUTCMonth(start.getUTCMonth() - (w.months ?? 0));
    start.setUTCDate(start.getUTCDate() - (w.days ?? 0) + 1);
    return d >= start.toISOString().slice(0, 10);
  }
  const startMonth = w.kind === 'fiscal-year' ? w.startMonth : (w.fiscalYearStartMonth ?? 1);
  const fy = (x: string) => (Number(x.slice(5, 7)) >= startMonth ? Number(x.slice(0, 4)) : Number(x.slice(0, 4)) - 1);
  return fy(d) === fy(dos);
}

function checkCaps(pack: RulePack, ctx: BillingContext, result: BillingResult) {
  const used = [
    ...(ctx.history ?? []).map((h) => ({ participantId: h.participantId, date: h.date, code: h.code, units: h.units, pa: h.priorAuthUnits })),
    ...result.lines.map((l) => ({ participantId: l.participantId, date: l.dateOfService, code: l.code, units: l.units, pa: l.priorAuthUnits })),
  ];
  for (const cap of pack.caps) {
    for (const l of result.lines) {
      if (cap.codes && !cap.codes.includes(l.code)) continue;
      const inWindow = used.filter((u) => u.participantId === l.participantId && (!cap.codes || cap.codes.includes(u.code)) && windowContains(pack, cap, l.dateOfService, u.date));
      const unmanaged = inWindow.reduce((s, u) => s + (cap.beyond === 'hold' ? u.units : u.units - u.pa), 0);
      const histOnly = (ctx.history ?? []).filter((h) => h.participantId === l.participantId && windowContains(pack, cap, l.dateOfService, h.date)).reduce((s, h) => s + h.units, 0);
      expect(unmanaged, `${pack.id} ${cap.id} on ${l.dateOfService}`).toBeLessThanOrEqual(Math.max(cap.maxUnits, histOnly));
    }
  }
  for (const a of ctx.priorAuthorizations ?? []) {
    const drawn = result.lines.filter((l) => l.preAuthRef === a.reference && l.participantId === a.participantId).reduce((s, l) => s + l.priorAuthUnits, 0);
    expect(drawn).toBeLessThanOrEqual(a.units - a.unitsUsed);
  }
}

describe.each(listPacks().map((p, i) => [p.id, p, 1000 + i] as const))('a year of encounters under %s', (_id, pack, seed) => {
  const ctx = yearOfEncounters(pack, seed);
  const result = evaluate(ctx);
  const items = ctx.encounters.reduce((s, e) => s + e.attendees.length, 0);

  it('ends every encounter x attendee billed or held with reasons', () => {
    expect(result.decisions).toHaveLength(items);
    for (const d of result.decisions) {
      if (d.status === 'billed') expect(d.holds).toEqual([]);
      else expect(d.holds.length).toBeGreaterThan(0);
      if (d.status !== 'held') expect(d.lines.length > 0 || d.countedIn !== undefined).toBe(true);
      for (const h of d.holds) expect(h.reason).not.toMatch(/Doe|Jo\b|M123|F\d\d\.\d/);
    }
    expect(result.totals.billed + result.totals.partial + result.totals.held).toBe(items);
    expect(result.totals.billed).toBeGreaterThan(0);
    expect(result.totals.held).toBeGreaterThan(0);
  });

  it('reconciles billed + held units with requested units', () => {
    for (const d of result.decisions) {
      expect(d.billedUnits + d.heldUnits).toBe(d.requestedUnits);
      expect(d.lines.reduce((s, l) => s + l.units, 0)).toBe(d.billedUnits);
    }
    expect(result.totals.billedUnits + result.totals.heldUnits).toBe(result.totals.requestedUnits);
    expect(result.lines.reduce((s, l) => s + l.units, 0)).toBe(result.totals.billedUnits);
  });

  it('exceeds no cap when recomputed from the billed lines', () => checkCaps(pack, ctx, result));

  it('is deterministic', () => {
    expect(evaluate(yearOfEncounters(pack, seed))).toEqual(result);
  });

  it('builds claims that carry every line once and pass both validators', () => {
    const claims = buildClaims(result.lines, { pack, created: '2026-01-15' });
    expect(claims.reduce((s, c) => s + (c.item?.length ?? 0), 0)).toBe(result.lines.length);
    const keys = claims.map((c) => c.identifier?.[0]?.value);
    expect(new Set(keys).size).toBe(claims.length);
    for (const c of claims) expect(validationProblems(c)).toEqual([]);
  });
});
