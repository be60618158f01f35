import type { DocumentReference, Encounter, FhirResource, PractitionerRole } from 'fhir/r4.js';
import { Systems, type PeerEncounter } from '@peer-fhir/core';
import type { RequestOptions, Retrieved } from '../types.js';
import { typeIdOf } from '../internal/peer-lookup.js';
import type { PeerContext } from './context.js';
import type { EncounterQuery, FindEncountersOptions } from './options.js';
import { findPatient, searchList, toDomain, withReferenced } from './readback.js';

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Search parameters for the query, or `undefined` when a named specialist or agency is not on the server (no match). */
async function searchParams(ctx: PeerContext, q: EncounterQuery, request: RequestOptions): Promise<URLSearchParams | undefined> {
  const params = new URLSearchParams();
  if (q.participantId !== undefined) params.set('subject', `Patient/${(await findPatient(ctx, q.participantId, request)).id}`);
  if (q.specialistNpi !== undefined) {
    let roles: string[];
    if (q.organizationNpi !== undefined) {
      const role = await ctx.lookup.lookup(ctx.keys.specialistRole(q.specialistNpi, q.organizationNpi), request);
      roles = role ? [role] : [];
    } else {
      const practitioner = await ctx.lookup.lookup(ctx.keys.practitioner(q.specialistNpi), request);
      const found = practitioner
        ? await searchList<PractitionerRole>(ctx, 'PractitionerRole', new URLSearchParams({ practitioner, _count: '100' }), request)
        : [];
      roles = found.filter((r) => r.identifier?.some((i) => i.system === ctx.ids.practitionerRole)).map((r) => `PractitionerRole/${r.id}`);
    }
    if (roles.length === 0) return undefined;
    params.set('participant', roles.join(','));
  }
  if (q.organizationNpi !== undefined) {
    const org = await ctx.lookup.lookup(ctx.keys.organization(q.organizationNpi), request);
    if (!org) return undefined;
    params.set('service-provider', org);
  }
  if (q.from !== undefined) params.append('date', `ge${q.from}`);
  if (q.to !== undefined) params.append('date', `le${q.to}`);
  return params;
}

const systemOf = (ctx: PeerContext, e: Encounter): 'individual' | 'session' | 'attendance' | undefined => {
  for (const i of e.identifier ?? []) {
    if (i.system === ctx.ids.encounter) return 'individual';
    if (i.system === ctx.ids.groupSession) return 'session';
    if (i.system === ctx.ids.groupAttendance) return 'attendance';
  }
  return undefined;
};

/** One page of matches read back as PeerEncounters: attendances become their group session, with every attendee. */
export async function readPage(ctx: PeerContext, page: readonly Retrieved<Encounter>[], seen: Set<string>, program: string | undefined, request: RequestOptions): Promise<PeerEncounter[]> {
  const byRef = new Map<string, FhirResource>(page.map((e) => [`Encounter/${e.id}`, e]));
  const tops: string[] = [];
  for (const e of page) {
    const kind = systemOf(ctx, e);
    const ref = kind === 'attendance' ? typeIdOf(e.partOf?.reference) : kind ? `Encounter/${e.id}` : undefined;
    if (ref && !seen.has(ref)) {
      seen.add(ref);
      tops.push(ref);
    }
  }
  const missing = tops.filter((r) => !byRef.has(r));
  for (const r of await ctx.cache.getAll(missing, request, true)) byRef.set(`${r.resourceType}/${r.id ?? ''}`, r);
  const topEncounters = tops
    .map((r) => byRef.get(r) as Encounter | undefined)
    .filter((e): e is Encounter => e !== undefined)
    .filter((e) => program === undefined || e.serviceType?.coding?.some((c) => c.system === Systems.PEER_PROGRAM && c.code === program));
  if (topEncounters.length === 0) return [];

  const sessions = topEncounters.filter((e) => systemOf(ctx, e) === 'session').map((e) => `Encounter/${e.id ?? ''}`);
  const children: Encounter[] = [];
  for (const c of chunks(sessions, 50)) {
    children.push(...(await searchList<Encounter>(ctx, 'Encounter', new URLSearchParams({ 'part-of': c.join(','), _count: '500' }), request)));
  }
  const encounterRefs = [...topEncounters, ...children].map((e) => `Encounter/${e.id ?? ''}`);
  const notes: DocumentReference[] = [];
  for (const c of chunks(encounterRefs, 50)) {
    notes.push(...(await searchList<DocumentReference>(ctx, 'DocumentReference', new URLSearchParams({ encounter: c.join(','), _count: '500' }), request)));
  }
  const resources = await withReferenced(ctx, [...topEncounters, ...children, ...notes], request);
  // fromFhir lists encounters in input order, and only individual encounters and group sessions.
  return toDomain(ctx, resources).encounters;
}

export async function* findEncounters(ctx: PeerContext, query: EncounterQuery, opts: FindEncountersOptions): AsyncGenerator<PeerEncounter, void, undefined> {
  const { maxResources, pageSize = 50, newestFirst, ...request } = opts;
  const params = await searchParams(ctx, query, request);
  if (!params || maxResources === 0) return;
  params.set('_sort', newestFirst ? '-date' : 'date');
  params.set('_count', String(pageSize));
  const seen = new Set<string>();
  let yielded = 0;
  for await (const page of ctx.client.searchPages('Encounter', params, request)) {
    const matches = (page.entry ?? []).map((e) => e.resource).filter((r): r is Retrieved<Encounter> => r?.resourceType === 'Encounter');
    for (const encounter of await readPage(ctx, matches, seen, query.program, request)) {
      yield encounter;
      if (maxResources !== undefined && ++yielded >= maxResources) return;
    }
  }
}
