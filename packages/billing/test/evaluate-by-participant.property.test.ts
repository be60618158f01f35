/**
 * Streamed evaluation (issue 18): billing a month in bounded chunks of participants decides every encounter x
 * attendee exactly as one evaluation of the whole month — same lines, units, holds with reasons and totals — for
 * every seed pack, whatever the chunk size, with groups split across chunks, caps reached, history and prior
 * authorizations. The chunks hold each participant once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerEncounter } from '@peer-fhir/core';
import { evaluate, evaluateByParticipant, getPack, listPacks, mergeBillingResults, type BillingContext } from '../src/index.js';
import { context, part2Consent, participant, plan, specialist, ORG_NPI, PEER_NPI } from './support/factories.js';

// More participants than any pack's group limit, so an oversized group session is split across chunks.
const IDS = Array.from({ length: 14 }, (_, i) => `p-${i + 1}`);
const pad = (n: number) => String(n).padStart(2, '0');

const encounterArb = fc.record({
  day: fc.integer({ min: 1, max: 28 }),
  startMinute: fc.integer({ min: 8 * 4, max: 17 * 4 }).map((q) => q * 15),
  minutes: fc.constantFrom(5, 8, 15, 22, 30, 45, 53, 60, 90, 120, 240),
  attendees: fc.subarray(IDS, { minLength: 1 }),
  cancelled: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  modality: fc.constantFrom('in-person', 'in-person', 'video', 'audio-only'),
  part2: fc.boolean(),
  diagnosis: fc.constantFrom('F11.20', 'F33.1', 'F43.10', 'Z59.00'),
});

const agencyArb = fc.record({
  pack: fc.constantFrom(...listPacks().map((p) => p.id)),
  encounters: fc.array(encounterArb, { minLength: 1, maxLength: 40 }),
  // Units billed before (some over a cap already) and a prior authorization, so caps and draw-down cross chunks.
  history: fc.array(fc.record({ participantId: fc.constantFrom(...IDS), day: fc.integer({ min: 1, max: 28 }), units: fc.integer({ min: 1, max: 40 }) }), { maxLength: 6 }),
  authorized: fc.option(fc.record({ participantId: fc.constantFrom(...IDS), units: fc.integer({ min: 1, max: 30 }) }), { nil: undefined }),
  withoutPlan: fc.constantFrom(...IDS),
  chunkSize: fc.integer({ min: 1, max: 7 }),
});

type Agency = Omit<ReturnType<typeof agencyArb.generate>['value'], 'chunkSize'>;

function agencyContext(a: Agency): BillingContext {
  const pack = getPack(a.pack);
  const service = pack.services[0]!;
  const encounters = a.encounters.map((e, i) => {
    const group = e.attendees.length > 1 && service.modes.includes('group');
    const date = `2025-03-${pad(e.day)}`;
    const t = (m: number) => `${date}T${pad(Math.floor(m / 60))}:${pad(m % 60)}:00-05:00`;
    return PeerEncounter.parse({
      id: `e-${pad(i)}`,
      mode: group ? 'group' : 'individual',
      ...(group ? { groupId: `g-${i}` } : {}),
      attendees: (group ? e.attendees : e.attendees.slice(0, 1)).map((participantId) => ({ participantId, diagnoses: [e.diagnosis] })),
      status: e.cancelled ? 'cancelled' : 'finished',
      specialistNpi: PEER_NPI,
      organizationNpi: ORG_NPI,
      start: t(e.startMinute),
      end: t(e.startMinute + e.minutes),
      modality: e.modality,
      setting: 'community',
      program: service.programs?.[0] ?? 'substance-use',
      placeOfService: e.modality === 'in-person' ? '53' : '02',
      serviceCode: service.code,
      part2: e.part2,
    });
  });
  return context(pack, {
    encounters,
    participants: IDS.map((id, i) => participant({ id, birthDate: `19${70 + i}-05-15` })),
    specialists: [specialist()],
    plans: IDS.filter((id) => id !== a.withoutPlan).map((id, i) => plan({ id: `plan-${i}`, participantId: id })),
    consents: IDS.map((id, i) => part2Consent({ id: `c-${i}`, participantId: id })),
    serviceOrders: IDS.map((id, i) => ({ id: `so-${i}`, participantId: id, signedDate: '2024-12-01' })),
    history: a.history.map((h) => ({ participantId: h.participantId, date: `2025-03-${pad(h.day)}`, code: service.code, units: h.units, priorAuthUnits: 0 })),
    priorAuthorizations: a.authorized
      ? [{ id: 'pa-1', participantId: a.authorized.participantId, code: service.code, period: { start: '2025-01-01', end: '2025-12-31' }, units: a.authorized.units, unitsUsed: 0, reference: 'AUTH-1' }]
      : [],
  });
}

describe('evaluateByParticipant', () => {
  it('decides every item exactly as one evaluation of the whole month, for any chunk size', () => {
    fc.assert(
      fc.property(agencyArb, (a) => {
        const ctx = agencyContext(a);
        const parts = [...evaluateByParticipant(ctx, { chunkSize: a.chunkSize })];
        expect(mergeBillingResults(parts, ctx)).toEqual(evaluate(ctx));
      }),
      { numRuns: 60 },
    );
  });

  it('holds each participant in one chunk only, at most chunkSize participants per chunk', () => {
    fc.assert(
      fc.property(agencyArb, (a) => {
        const ctx = agencyContext(a);
        const seen = new Set<string>();
        for (const part of evaluateByParticipant(ctx, { chunkSize: a.chunkSize })) {
          const ids = new Set(part.decisions.map((d) => d.participantId));
          expect(ids.size).toBeLessThanOrEqual(a.chunkSize);
          for (const id of ids) {
            expect(seen.has(id)).toBe(false);
            seen.add(id);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('decides a read of some participants only (their encounters, groups whole, their own records) as the whole month decides them', () => {
    fc.assert(
      fc.property(agencyArb, fc.subarray(IDS, { minLength: 1 }), (a, some) => {
        const ctx = agencyContext(a);
        const mine = new Set(some);
        // What `peer-fhir bill` reads for a chunk: the encounters its participants attend (a group session with all
        // its attendees) and only those participants' records.
        const read: BillingContext = {
          ...ctx,
          encounters: ctx.encounters.filter((e) => e.attendees.some((x) => mine.has(x.participantId))),
          participants: ctx.participants.filter((p) => mine.has(p.id)),
        };
        const parts = [...evaluateByParticipant(read, { chunkSize: a.chunkSize, participants: some })];
        const whole = evaluate(ctx).decisions.filter((d) => mine.has(d.participantId));
        expect(mergeBillingResults(parts, read).decisions).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });
});
