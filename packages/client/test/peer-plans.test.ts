import { toFhir } from '@peer-fhir/core';
import type { CarePlan, Goal } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirPreconditionFailedError, PeerClient, PeerFhirClient, PeerRecordNotFoundError } from '../src/index.js';
import { encounter, NS, SCOPE, AGENCY_NS, organization, participant, plan, specialist, testing, tpoConsent, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
let peer: PeerClient;
beforeAll(async () => {
  server = await testing.startFhirServer();
  peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
  await peer.recordEncounter(encounter('e-plan-1', 'p-plan-1'), { participants: [participant('p-plan-1')], specialist: specialist(), organization: organization() });
});
afterAll(() => server?.close());

const count = async (type: string, query: string): Promise<number> => (await server.repository.search(type, query)).length;

describe('upsertRecoveryPlan', () => {
  it('creates CarePlan, Goals, CareTeam and signature Provenance the first time', async () => {
    const result = await peer.upsertRecoveryPlan(plan('plan-1', 'p-plan-1'), { specialist: specialist() });
    expect(result.created).toBe(true);
    expect(result.carePlan.meta.versionId).toBe(result.versionId);
    expect(await count('Goal', `identifier=${AGENCY_NS}/recovery-goal|plan-1-g1`)).toBe(1);
    expect(await count('CareTeam', `identifier=${AGENCY_NS}/care-team|plan-1`)).toBe(1);
    expect(await count('Provenance', `target=CarePlan/${result.carePlan.id}`)).toBe(1);
  });

  it('upserting the same plan again changes nothing', async () => {
    const before = await peer.upsertRecoveryPlan(plan('plan-1', 'p-plan-1'), { specialist: specialist() });
    const again = await peer.upsertRecoveryPlan(plan('plan-1', 'p-plan-1'), { specialist: specialist() });
    expect(again).toMatchObject({ created: false, changed: [], versionId: before.versionId });
  });

  it('updates changed goals, creates new ones, adds Provenance for new signatures, and versions the CarePlan', async () => {
    const v1 = await peer.upsertRecoveryPlan(plan('plan-1', 'p-plan-1'), { specialist: specialist() });
    const next = plan('plan-1', 'p-plan-1', {
      goals: [
        { id: 'plan-1-g1', text: 'Get my own apartment by summer', domain: 'housing', status: 'active', progressNotes: [] },
        { id: 'plan-1-g2', text: 'Find part-time work', domain: 'employment', status: 'active', progressNotes: [] },
      ],
      signatures: [
        { role: 'participant', signedAt: '2025-01-02T10:00:00-05:00' },
        { role: 'peer', signedAt: '2025-01-03T10:00:00-05:00' },
      ],
    });
    const v2 = await peer.upsertRecoveryPlan(next, { specialist: specialist(), ifMatch: v1.versionId });
    expect(v2.versionId).not.toBe(v1.versionId);
    expect(v2.carePlan.goal).toHaveLength(2);
    expect(v2.changed.filter((r) => r.startsWith('Goal/'))).toHaveLength(2);
    expect(await count('Provenance', `target=CarePlan/${v2.carePlan.id}`)).toBe(2);
    const [goal] = await server.repository.search('Goal', `identifier=${AGENCY_NS}/recovery-goal|plan-1-g1`);
    expect((goal as { description?: { text?: string } }).description?.text).toBe('Get my own apartment by summer');
  });

  it('a stale If-Match version gets FhirPreconditionFailedError (412) and changes nothing', async () => {
    const current = await peer.upsertRecoveryPlan(plan('plan-2', 'p-plan-1'), { specialist: specialist() });
    await peer.upsertRecoveryPlan(plan('plan-2', 'p-plan-1', { strengths: ['Loves to cook', 'Good friend'] }), { specialist: specialist(), ifMatch: current.versionId });
    const stale = peer.upsertRecoveryPlan(plan('plan-2', 'p-plan-1', { strengths: ['Stale edit'], goals: [{ id: 'plan-2-g9', text: 'New goal', domain: 'education', status: 'active', progressNotes: [] }] }), {
      specialist: specialist(),
      ifMatch: current.versionId,
    });
    await expect(stale).rejects.toBeInstanceOf(FhirPreconditionFailedError);
    await expect(stale).rejects.toMatchObject({ status: 412 });
    expect(await count('Goal', `identifier=${AGENCY_NS}/recovery-goal|plan-2-g9`)).toBe(0);
  });
});

describe('addGoalProgress', () => {
  it('appends a note to the goal and bumps only its version', async () => {
    const before = await peer.upsertRecoveryPlan(plan('plan-3', 'p-plan-1'), { specialist: specialist() });
    const result = await peer.addGoalProgress('plan-3-g1', { date: '2025-03-01', text: 'Viewed two apartments', authorNpi: specialist().npi });
    expect(result.goal.progressNotes).toEqual([{ date: '2025-03-01', text: 'Viewed two apartments', authorNpi: specialist().npi }]);
    const second = await peer.addGoalProgress('plan-3-g1', { date: '2025-04-01', text: 'Signed a lease' });
    expect(second.goal.progressNotes).toHaveLength(2);
    expect(second.versionId).not.toBe(result.versionId);
    const after = await peer.upsertRecoveryPlan({ ...plan('plan-3', 'p-plan-1'), goals: [{ ...plan('plan-3', 'p-plan-1').goals[0]!, progressNotes: second.goal.progressNotes }] }, { specialist: specialist() });
    expect(after.versionId).toBe(before.versionId);
    expect(after.changed).toEqual([]);
  });

  it('throws PeerRecordNotFoundError for an unknown goal', async () => {
    await expect(peer.addGoalProgress('no-such-goal', { date: '2025-03-01', text: 'x' })).rejects.toBeInstanceOf(PeerRecordNotFoundError);
  });
});

describe('plan versions (a plan and its six-month review)', () => {
  const g1 = { id: 'plan-4-g1', text: 'Get my own apartment', domain: 'housing' as const, status: 'active' as const, achievement: 'in-progress' as const, progressNotes: [] };
  const g2 = { id: 'plan-4-g2', text: 'Walk every day', domain: 'health' as const, status: 'completed' as const, achievement: 'achieved' as const, progressNotes: [] };
  const review = { date: '2025-07-02', text: 'Reviewed at six-month plan review.' };
  const v1 = plan('plan-4', 'p-plan-1', { period: { start: '2025-01-02', end: '2025-07-01' }, status: 'completed', goals: [g1, g2] });
  // The review rephrases the goal in the participant's words and records progress; the met goal leaves the plan.
  const v2 = plan('plan-4-r1', 'p-plan-1', { period: { start: '2025-07-02' }, reviewDue: '2026-01-02', goals: [{ ...g1, text: 'Get my own place', achievement: 'improving', progressNotes: [review] }] });
  const goalOnServer = async (id: string) => (await server.repository.search('Goal', `identifier=${AGENCY_NS}/recovery-goal|${id}`))[0] as Goal | undefined;
  const carePlanOnServer = async (id: string) => (await server.repository.search('CarePlan', `identifier=${AGENCY_NS}/recovery-plan|${id}`))[0] as CarePlan | undefined;

  it('written one by one, oldest first, leave each Goal as one toFhir call of the whole history writes it', async () => {
    await peer.upsertRecoveryPlan(v1, { specialist: specialist() });
    await peer.upsertRecoveryPlan(v2, { specialist: specialist() });
    const oneCall = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant('p-plan-1')], plans: [v2, v1] }, SCOPE);
    for (const id of ['plan-4-g1', 'plan-4-g2']) {
      const written = oneCall.entry?.find((e) => e.resource?.resourceType === 'Goal' && (e.resource as Goal).identifier?.[0]?.value === id)?.resource as Goal;
      const stored = await goalOnServer(id);
      for (const k of ['description', 'lifecycleStatus', 'achievementStatus', 'note', 'target'] as const) expect(stored?.[k]).toEqual(written[k]);
    }
  });

  it('a progress note goes through the current version: the earlier CarePlan is left as it was', async () => {
    const earlier = await carePlanOnServer('plan-4');
    const result = await peer.addGoalProgress('plan-4-g1', { date: '2025-08-01', text: 'Signed a lease' });
    expect(result.goal.text).toBe('Get my own place');
    expect(result.goal.progressNotes.map((n) => n.text)).toEqual(['Reviewed at six-month plan review.', 'Signed a lease']);
    expect((await carePlanOnServer('plan-4'))?.meta?.versionId).toBe(earlier?.meta?.versionId);
  });
});

describe('getParticipantSummary', () => {
  it('returns the participant, current plan with goals, recent encounters and active consents', async () => {
    await peer.grantConsent(tpoConsent('c-sum-1', 'p-plan-1'));
    await peer.grantConsent(tpoConsent('c-sum-2', 'p-plan-1', { period: { start: '2024-01-01', end: '2024-06-30' }, signedDate: '2024-01-01' }));
    await peer.recordEncounter(encounter('e-plan-2', 'p-plan-1', { start: '2025-02-14T10:00:00-05:00', end: '2025-02-14T10:45:00-05:00' }));
    const summary = await peer.getParticipantSummary('p-plan-1', { recentLimit: 1, at: '2025-03-01' });
    expect(summary.participant).toEqual(participant('p-plan-1'));
    expect(summary.plan?.id).toMatch(/^plan-/);
    expect(summary.goals.length).toBeGreaterThan(0);
    expect(summary.recentEncounters.map((e) => e.id)).toEqual(['e-plan-2']);
    expect(summary.activeConsents.map((c) => c.id)).toEqual(['c-sum-1']);
  });
});
