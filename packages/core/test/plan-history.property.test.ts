// Issue 18 follow-up: a participant's plan history in one toFhir call. A six-month review writes a new version of the
// recovery plan (a new CarePlan) that carries the same goals forward with their progress (domain.md 3b: PA reviews
// every 6 months; Goal has lifecycleStatus and achievementStatus that change over time). A Goal is one resource whose
// state changes; a transaction can create it once (R4 http.html#trules). So one call writes each goal once, as the
// latest plan version states it, and every CarePlan version refers to that one Goal.
import fc from 'fast-check';
import type { Bundle, BundleEntry, CarePlan, Goal } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { generateAgency } from '@peer-fhir/testing';
import { fromFhir, PeerFhirValidationError, RecoveryGoal, toFhir, type DomainRecords, type RecoveryPlan } from '../src/index.js';
import { bundleValidationProblems } from '../../../test/support/validators.js';
import { bundleProfileProblems, summarize } from '../../../test/support/profile-validator.js';
import { organization, participant, recoveryPlan, specialist } from './fixtures.js';

const LONG = process.env.PEER_FHIR_LONG === '1';
const RUNS = LONG ? 40 : 2;
const NS = 'https://ehr.example.org/ids';

/** The goal as the plan version that starts last among the participant's plans naming it states it. */
function latestGoals(plans: readonly RecoveryPlan[]): Map<string, RecoveryGoal> {
  const latest = new Map<string, { start: string; goal: RecoveryGoal }>();
  for (const p of plans) {
    for (const g of p.goals) {
      const seen = latest.get(g.id);
      if (!seen || seen.start < p.period.start) latest.set(g.id, { start: p.period.start, goal: g });
    }
  }
  return new Map([...latest].map(([id, v]) => [id, RecoveryGoal.parse(v.goal)]));
}

const resourcesOf = <T extends { resourceType: string }>(b: Bundle, type: T['resourceType']): { fullUrl: string; resource: T }[] =>
  (b.entry ?? []).filter((e): e is BundleEntry & { fullUrl: string; resource: T } => e.resource?.resourceType === type && e.fullUrl !== undefined);

const goalId = (g: Goal) => g.identifier?.[0]?.value ?? '';

/** The records of a generated agency: every plan version of every participant, with its year of encounters. */
function agencyRecords(seed: number, participants = 40): DomainRecords & { plans: RecoveryPlan[] } {
  const a = generateAgency({ seed, participants });
  return { organizations: [a.organization], specialists: a.specialists, participants: a.participants, encounters: a.encounters, plans: a.plans, consents: a.consents };
}

describe("a participant's plan history in one toFhir call", () => {
  it('maps every generated agency whole: one Goal per goal, as the latest plan version states it, named by every version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const records = agencyRecords(seed);
        // The generator's reviews carry goals forward: some goal of this agency is named by two plan versions.
        const named = records.plans.flatMap((p) => p.goals.map((g) => g.id));
        expect(new Set(named).size).toBeLessThan(named.length);
        const bundle = toFhir(records, { namespace: NS });

        const goals = resourcesOf<Goal>(bundle, 'Goal');
        const latest = latestGoals(records.plans);
        expect(goals.map((g) => goalId(g.resource)).sort()).toEqual([...latest.keys()].sort());
        // Every version's goals resolve inside the bundle, to the Goal of that id.
        const goalUrls = new Map(goals.map((g) => [g.fullUrl, goalId(g.resource)]));
        const carePlans = resourcesOf<CarePlan>(bundle, 'CarePlan');
        expect(carePlans).toHaveLength(records.plans.length);
        for (const { resource: cp } of carePlans) {
          const plan = records.plans.find((p) => p.id === cp.identifier?.[0]?.value);
          expect((cp.goal ?? []).map((r) => goalUrls.get(r.reference ?? ''))).toEqual(plan?.goals.map((g) => g.id));
        }
        // Read back, each version names its goals as the latest version states them.
        for (const p of fromFhir(bundle, { namespace: NS }).plans) {
          for (const g of p.goals) expect(g).toEqual(latest.get(g.id));
        }
      }),
      { seed: Number(process.env.PEER_FHIR_SEED ?? 18), numRuns: RUNS },
    );
  }, 120_000);

  it('writes the same Goals whatever the order of the plan versions in the input', () => {
    const records = agencyRecords(7);
    const goalsBy = (b: Bundle) => new Map(resourcesOf<Goal>(b, 'Goal').map((g) => [goalId(g.resource), g.resource]));
    const expected = goalsBy(toFhir({ ...records, encounters: [] }));
    fc.assert(
      fc.property(fc.shuffledSubarray(records.plans, { minLength: records.plans.length, maxLength: records.plans.length }), (plans) => {
        expect(goalsBy(toFhir({ ...records, encounters: [], plans }))).toEqual(expected);
      }),
      { seed: Number(process.env.PEER_FHIR_SEED ?? 18), numRuns: LONG ? 100 : 10 },
    );
  });

  it("the plan histories of an agency pass both R4 validators and every profile they name (US Core, peer-fhir)", () => {
    // Three participants whose plan was reviewed, with all their plan versions.
    const all = agencyRecords(3, 12);
    const reviewed = [...new Set(all.plans.filter((p) => p.id.endsWith('-r1')).map((p) => p.participantId))].slice(0, 3);
    expect(reviewed).toHaveLength(3);
    const records = { ...all, participants: all.participants?.filter((p) => reviewed.includes(p.id)), plans: all.plans.filter((p) => reviewed.includes(p.participantId)), encounters: [], consents: [] };
    const bundle = toFhir(records, { namespace: NS });
    expect(bundleValidationProblems(bundle)).toEqual([]);
    expect(summarize(bundleProfileProblems(bundle))).toEqual({});
  });
});

describe('goals named by several plan versions', () => {
  const v1 = recoveryPlan({ period: { start: '2025-01-02', end: '2025-07-01' }, status: 'completed' });
  const progressed = { ...v1.goals[0]!, achievement: 'improving' as const, progressNotes: [...v1.goals[0]!.progressNotes, { date: '2025-07-02', text: 'Reviewed at six-month plan review.' }] };
  const v2 = recoveryPlan({ id: 'plan-1-r1', period: { start: '2025-07-02' }, reviewDue: '2026-01-02', goals: [progressed, { id: 'g-3', text: 'Cook for my family', domain: 'relationships', status: 'active', progressNotes: [] }] });
  const common = { organizations: [organization()], specialists: [specialist()], participants: [participant()] };

  it.each([
    ['oldest first', [v1, v2]],
    ['newest first', [v2, v1]],
  ])('write one Goal per goal with the content of the version that starts last (%s)', (_order, plans) => {
    const bundle = toFhir({ ...common, plans });
    const goals = resourcesOf<Goal>(bundle, 'Goal');
    expect(goals.map((g) => goalId(g.resource)).sort()).toEqual(['g-1', 'g-2', 'g-3']);
    const g1 = goals.find((g) => goalId(g.resource) === 'g-1');
    expect(g1?.resource.achievementStatus?.coding?.[0]?.code).toBe('improving');
    expect(g1?.resource.note?.map((n) => n.text)).toEqual(['Applied to two places', 'Reviewed at six-month plan review.']);
    // g-2 is named by the first version only: its Goal is that version's.
    const byPlan = new Map(resourcesOf<CarePlan>(bundle, 'CarePlan').map((c) => [c.resource.identifier?.[0]?.value, c.resource.goal?.map((r) => r.reference)]));
    expect(byPlan.get('plan-1')).toEqual([g1?.fullUrl, goals.find((g) => goalId(g.resource) === 'g-2')?.fullUrl]);
    expect(byPlan.get('plan-1-r1')).toEqual([g1?.fullUrl, goals.find((g) => goalId(g.resource) === 'g-3')?.fullUrl]);
  });

  it('refuses two versions that start the same day and state one goal differently: neither is the latest', () => {
    const sameDay = recoveryPlan({ id: 'plan-1-r1', goals: [progressed] });
    expect(() => toFhir({ ...common, plans: [recoveryPlan(), sameDay] })).toThrow(PeerFhirValidationError);
    try {
      toFhir({ ...common, plans: [recoveryPlan(), sameDay] });
    } catch (e) {
      expect((e as PeerFhirValidationError).issues).toEqual([{ path: 'plans[1].goals[0]', code: 'conflicting_duplicate', message: expect.any(String) }]);
    }
    // The same content on the same day is one Goal.
    expect(resourcesOf<Goal>(toFhir({ ...common, plans: [recoveryPlan(), recoveryPlan({ id: 'plan-1-r1', goals: [recoveryPlan().goals[0]!] })] }), 'Goal')).toHaveLength(2);
  });

  it("refuses one goal id in two participants' plans, whatever their dates: a Goal has one subject", () => {
    const other = recoveryPlan({ id: 'plan-2', participantId: 'p-2', period: { start: '2025-07-02' }, reviewDue: '2026-01-02' });
    for (const plans of [[v1, other], [other, v1]]) {
      let err: unknown;
      try {
        toFhir({ ...common, participants: [participant('p-1'), participant('p-2')], plans });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PeerFhirValidationError);
      expect((err as PeerFhirValidationError).issues.map((i) => i.code)).toContain('conflicting_duplicate');
    }
  });
});
