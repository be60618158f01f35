import type { PeerClient } from '@peer-fhir/client';
import { loadAgencyStaff } from './agency-staff.js';
import { type ConsentDirective, type IdentityScope, type Organization, type Participant, type PeerEncounter, type PeerSpecialist, type RecoveryPlan } from '@peer-fhir/core';

/** The clinical records of one billing period, read from a FHIR server. */
export interface PeriodRecords {
  encounters: PeerEncounter[];
  participants: Participant[];
  specialists: PeerSpecialist[];
  organizations: Organization[];
  plans: RecoveryPlan[];
  consents: ConsentDirective[];
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/**
 * Encounters of `[from, to]` of one agency, plus the participants (with coverage), their current plans and consents,
 * and the peer specialists, read back with the client's domain readers and core's `fromFhir`.
 *
 * CLI glue: a library function `loadBillingPeriod(peer, { from, to, organizationNpi })` in client would serve every
 * billing integration (see the package report).
 */
export async function loadPeriodRecords(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<PeriodRecords> {
  const encounters: PeerEncounter[] = [];
  for await (const e of peer.findEncounters({ from: q.from, to: q.to, organizationNpi: q.scope.agency }, { pageSize: 200 })) {
    if (e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to) encounters.push(e);
  }
  const ids = [...new Set(encounters.flatMap((e) => e.attendees.map((a) => a.participantId)))];
  const participants: Participant[] = [];
  const plans: RecoveryPlan[] = [];
  const consents: ConsentDirective[] = [];
  await mapLimit(ids, 4, async (id) => {
    const summary = await peer.getParticipantSummary(id, { recentLimit: 0, at: `${q.to}T23:59:59Z` });
    participants.push(summary.participant);
    if (summary.plan) plans.push(summary.plan);
    consents.push(...(await peer.getConsents(id)));
  });
  // The agency's staff only: its Organization, PractitionerRoles and their Practitioners.
  const staff = await loadAgencyStaff(peer, q.scope);
  return { encounters, participants, specialists: staff.specialists, organizations: staff.organizations, plans, consents };
}
