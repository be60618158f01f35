/**
 * The period's encounters of one agency, read participant by participant: each search is narrowed by the
 * participant's Patient reference (which a server indexes), so the cost of a month's read grows with the month's
 * encounters, not with every encounter the agency ever stored (a search by agency and date alone is answered by
 * scanning all of them on the embedded server: bench B9).
 */
import type { PeerClient } from '@peer-fhir/client';
import { identifierSystems, type IdentityScope, type PeerEncounter } from '@peer-fhir/core';

/** Domain ids of the agency's participants: its Patients holding an identifier in the agency's participant system. */
async function agencyParticipantIds(peer: PeerClient, scope: IdentityScope): Promise<string[]> {
  const system = identifierSystems(scope).participant;
  const ids = new Set<string>();
  for await (const patient of peer.client.searchAll('Patient', new URLSearchParams({ identifier: `${system}|`, _count: '500' }))) {
    for (const i of patient.identifier ?? []) if (i.system === system && i.value !== undefined) ids.add(i.value);
  }
  return [...ids].sort();
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/**
 * Encounters of `[from, to]` (by the date of their start) of the agency, each once: a group session attended by several
 * participants is read with each of them and kept once, with every attendee. Ordered by start, then id.
 */
export async function findPeriodEncounters(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<PeerEncounter[]> {
  const byId = new Map<string, PeerEncounter>();
  await mapLimit(await agencyParticipantIds(peer, q.scope), 4, async (participantId) => {
    for await (const e of peer.findEncounters({ participantId, from: q.from, to: q.to, organizationNpi: q.scope.agency }, { pageSize: 200 })) {
      const day = e.start.slice(0, 10);
      if (day >= q.from && day <= q.to && !byId.has(e.id)) byId.set(e.id, e);
    }
  });
  return [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
}
