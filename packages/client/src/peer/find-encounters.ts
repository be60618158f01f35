import type { DocumentReference, Encounter, FhirResource, PractitionerRole } from 'fhir/r4.js';
import { Systems, type PeerEncounter } from '@peer-fhir/core';
import type { RequestOptions, Retrieved } from '../types.js';
import { flatString, typeIdOf } from '../internal/peer-lookup.js';
import type { PeerContext } from './context.js';
import type { EncounterEntry, EncounterQuery, FindEncounterParticipantsOptions, FindEncountersOptions } from './options.js';
import { findPatient, searchList, toDomain, withReferenced } from './readback.js';

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Search parameters for the query, or `undefined` when a named specialist or agency is not on the server (no match). */
async function searchParams(ctx: PeerContext, q: EncounterQuery, request: RequestOptions): Promise<URLSearchParams | undefined> {
  const params = new URLSearchParams();
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

/** The `subject` value to search: `[undefined]` (one search, any subject) when the query names no participant. */
async function subjectsOf(ctx: PeerContext, q: EncounterQuery, request: RequestOptions): Promise<(string | undefined)[]> {
  return q.participantId === undefined ? [undefined] : [`Patient/${(await findPatient(ctx, q.participantId, request)).id}`];
}

/** The search of one `subject` value (first, as a single participant's search always sent it), else `params` as they are. */
const withSubject = (params: URLSearchParams, subject: string | undefined): URLSearchParams => (subject === undefined ? params : new URLSearchParams([['subject', subject], ...params]));

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
  return (await readPageEntries(ctx, page, seen, program, request)).map((e) => e.encounter);
}

/** The domain key of a top encounter (`mode|id`), as core's `fromFhir` reads it: a group session's identifier first. */
function domainKeyOf(ctx: PeerContext, e: Encounter): string | undefined {
  const session = e.identifier?.find((i) => i.system === ctx.ids.groupSession)?.value;
  if (session !== undefined) return `group|${session}`;
  const individual = e.identifier?.find((i) => i.system === ctx.ids.encounter)?.value;
  return individual === undefined ? undefined : `individual|${individual}`;
}

/**
 * Each encounter read with the reference of the top encounter it was read from. `fromFhir` lists encounters in input
 * order and the tops come first, so the k-th encounter with a key is the k-th top with that key; one with no such top
 * (another resource of the read that carries an encounter identifier) has no reference.
 */
function withReferences(ctx: PeerContext, tops: readonly Encounter[], encounters: readonly PeerEncounter[]): EncounterEntry[] {
  const refsByKey = new Map<string, string[]>();
  for (const e of tops) {
    const key = domainKeyOf(ctx, e);
    if (key === undefined) continue;
    const refs = refsByKey.get(key);
    if (refs === undefined) refsByKey.set(key, [`Encounter/${e.id ?? ''}`]);
    else refs.push(`Encounter/${e.id ?? ''}`);
  }
  return encounters.map((encounter) => {
    const reference = refsByKey.get(`${encounter.mode}|${encounter.id}`)?.shift();
    return reference === undefined ? { encounter } : { reference, encounter };
  });
}

/** {@link readPage} with the reference each encounter was read by. */
async function readPageEntries(ctx: PeerContext, page: readonly Retrieved<Encounter>[], seen: Set<string>, program: string | undefined, request: RequestOptions): Promise<EncounterEntry[]> {
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
  return withReferences(ctx, topEncounters, toDomain(ctx, resources).encounters);
}

export async function* findEncounters(ctx: PeerContext, query: EncounterQuery, opts: FindEncountersOptions): AsyncGenerator<PeerEncounter, void, undefined> {
  const { maxResources, pageSize = 50, newestFirst, ...request } = opts;
  const subjects = await subjectsOf(ctx, query, request);
  const params = await searchParams(ctx, query, request);
  if (!params || maxResources === 0) return;
  params.set('_sort', newestFirst ? '-date' : 'date');
  params.set('_count', String(pageSize));
  const seen = new Set<string>();
  let yielded = 0;
  for (const subject of subjects) {
    for await (const page of ctx.client.searchPages('Encounter', withSubject(params, subject), request)) {
      const matches = (page.entry ?? []).map((e) => e.resource).filter((r): r is Retrieved<Encounter> => r?.resourceType === 'Encounter');
      for (const encounter of await readPage(ctx, matches, seen, query.program, request)) {
        yield encounter;
        if (maxResources !== undefined && ++yielded >= maxResources) return;
      }
    }
  }
}

/** Whether an encounter's own start date is in the range (one without a start is kept: the read decides). */
const startsIn = (e: Encounter, range: FindEncounterParticipantsOptions['startsIn']): boolean => {
  const day = e.period?.start?.slice(0, 10);
  return range === undefined || day === undefined || (day >= range.from && day <= range.to);
};

/** The encounters each Patient (`Patient/{id}`) attends among the search's matches: individual encounters and group sessions (through attendances). */
async function encountersByPatient(ctx: PeerContext, query: EncounterQuery, opts: FindEncounterParticipantsOptions): Promise<Map<string, Set<string>>> {
  const { pageSize = 1000, startsIn: range, ...request } = opts;
  const found = new Map<string, Set<string>>();
  const params = await searchParams(ctx, query, request);
  if (!params) return found;
  for (const subject of await subjectsOf(ctx, query, request)) {
    const search = withSubject(params, subject);
    search.set('_sort', 'date');
    search.set('_count', String(pageSize));
    for await (const page of ctx.client.searchPages('Encounter', search, request)) {
      for (const entry of page.entry ?? []) {
        const e = entry.resource;
        if (e?.resourceType !== 'Encounter' || !startsIn(e, range)) continue;
        const kind = systemOf(ctx, e);
        const patient = typeIdOf(e.subject?.reference);
        const top = kind === 'attendance' ? typeIdOf(e.partOf?.reference) : kind === 'individual' ? `Encounter/${e.id}` : undefined;
        if (top === undefined || !patient?.startsWith('Patient/')) continue;
        // Kept for the whole run by a biller (the month's participant list): each reference stored flat, once.
        const refs = found.get(patient);
        if (refs === undefined) found.set(flatString(patient), new Set([flatString(top)]));
        else if (!refs.has(top)) refs.add(flatString(top));
      }
    }
  }
  return found;
}

/**
 * The participants (domain ids, sorted) of the individual encounters and group attendances a query finds, each with
 * the encounters it attends (`Encounter/{id}`: individual encounters and group sessions), without reading them back:
 * the search's pages are read for their subjects only, then the Patients by id (500 at a time) for their participant
 * identifiers. `program` is not applied (it needs the encounters read back).
 */
export async function findEncounterParticipants(ctx: PeerContext, query: EncounterQuery, opts: FindEncounterParticipantsOptions): Promise<Map<string, string[]>> {
  const { pageSize: _pageSize, startsIn: _range, ...request } = opts;
  const byPatient = await encountersByPatient(ctx, query, opts);
  const out = new Map<string, string[]>();
  for (const group of chunks([...byPatient.keys()], 500)) {
    for (const patient of await ctx.cache.getAll(group, request)) {
      const id = patient.resourceType === 'Patient' ? patient.identifier?.find((i) => i.system === ctx.ids.participant)?.value : undefined;
      const refs = byPatient.get(`Patient/${patient.id ?? ''}`);
      if (id !== undefined && refs !== undefined) out.set(id, [...(out.get(id) ?? []), ...refs]);
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Encounters by reference (`Encounter/{id}`: individual encounters and group sessions) read back as PeerEncounters,
 * as `findEncounters` reads its pages: a group session with every attendee, its notes and the records they name.
 * Read 1,000 at a time by id; one not found is left out.
 */
export async function readEncounters(ctx: PeerContext, references: readonly string[], request: RequestOptions): Promise<PeerEncounter[]> {
  return (await readEncounterEntries(ctx, references, request)).map((e) => e.encounter);
}

/** {@link readEncounters} with the reference each encounter was read by (`PeerClient.readEncounterEntries`). */
export async function readEncounterEntries(ctx: PeerContext, references: readonly string[], request: RequestOptions): Promise<EncounterEntry[]> {
  const out: EncounterEntry[] = [];
  const seen = new Set<string>();
  for (const group of chunks([...new Set(references)], 1000)) {
    const found = (await ctx.cache.getAll(group, request, true)).filter((r): r is Retrieved<Encounter> => r.resourceType === 'Encounter');
    out.push(...(await readPageEntries(ctx, found, seen, undefined, request)));
  }
  return out;
}
