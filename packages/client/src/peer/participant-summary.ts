import type { CarePlan, Coverage } from 'fhir/r4.js';
import { consentStateAt, type PeerEncounter } from '@peer-fhir/core';
import type { PeerContext } from './context.js';
import { nowTimestamp } from './consents.js';
import { findEncounters } from './find-encounters.js';
import type { ParticipantSummary, ParticipantSummaryOptions } from './options.js';
import { PeerRecordNotFoundError } from './errors.js';
import { findPatient, loadConsents, loadPlan, searchList, toDomain, withReferenced } from './readback.js';

const STATUS_RANK: Record<string, number> = { active: 0, 'on-hold': 1, draft: 2, completed: 3, revoked: 4 };

/** The participant's current plan among its CarePlans: ours only; active before on-hold before draft…, then the latest start. */
export function currentPlanOf<T extends CarePlan>(ctx: PeerContext, carePlans: readonly T[]): T | undefined {
  return carePlans
    .filter((c) => c.identifier?.some((i) => i.system === ctx.ids.plan))
    .sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) || (b.period?.start ?? '').localeCompare(a.period?.start ?? ''))[0];
}

export async function getParticipantSummary(ctx: PeerContext, participantId: string, opts: ParticipantSummaryOptions): Promise<ParticipantSummary> {
  const { recentLimit = 10, at = nowTimestamp(), ...request } = opts;
  const patient = await findPatient(ctx, participantId, request);
  const subject = `Patient/${patient.id}`;
  const [coverages, carePlans, consents] = await Promise.all([
    searchList<Coverage>(ctx, 'Coverage', new URLSearchParams({ beneficiary: subject, _count: '100' }), request),
    searchList<CarePlan>(ctx, 'CarePlan', new URLSearchParams({ subject, _count: '100' }), request),
    loadConsents(ctx, patient, request),
  ]);
  const participant = toDomain(ctx, await withReferenced(ctx, [patient, ...coverages], request)).participants[0];
  if (!participant) throw new PeerRecordNotFoundError('Patient', ctx.ids.participant, 'participant');

  const current = currentPlanOf(ctx, carePlans);
  const plan = current ? (await loadPlan(ctx, current, request)).domain.plans[0] : undefined;

  const recentEncounters: PeerEncounter[] = [];
  if (recentLimit > 0) {
    for await (const e of findEncounters(ctx, { participantId }, { ...request, maxResources: recentLimit, pageSize: recentLimit, newestFirst: true })) {
      recentEncounters.push(e);
    }
  }
  return {
    participant,
    plan,
    goals: plan?.goals ?? [],
    recentEncounters,
    activeConsents: consents.domain.filter((c) => consentStateAt(c, at) === 'active'),
  };
}
