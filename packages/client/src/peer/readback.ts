import type { CarePlan, Consent, FhirResource, Patient, Provenance } from 'fhir/r4.js';
import { fromFhir, type CompleteDomainRecords, type RecordKey } from '@peer-fhir/core';
import type { RequestOptions, ResourceType, Retrieved } from '../types.js';
import { typeIdOf } from '../internal/peer-lookup.js';
import { referencesIn } from '../internal/peer-mapping.js';
import { ns, type PeerContext } from './context.js';
import { PeerRecordNotFoundError } from './errors.js';

/** Types whose references are followed when reading records back (the server has no `_include`). */
const FOLLOWED: ReadonlySet<string> = new Set(['Patient', 'PractitionerRole', 'Practitioner', 'Organization', 'Group', 'Condition', 'CareTeam', 'Goal']);

/** Fetches the `Type/id`s wanted at one level: the cacheable ones first, then those re-read fresh. */
type LevelFetch = (stale: readonly string[], refetch: readonly string[]) => Promise<readonly FhirResource[]>;

/** `seeds` plus what they reference, transitively (4 levels), among the followed types, each level got by `fetch`. */
async function expandReferences(seeds: readonly FhirResource[], fresh: ReadonlySet<string>, fetch: LevelFetch): Promise<FhirResource[]> {
  const all = new Map<string, FhirResource>(seeds.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  let frontier: readonly FhirResource[] = seeds;
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const wanted = new Set<string>();
    for (const r of frontier) {
      for (const ref of referencesIn(r)) {
        const t = typeIdOf(ref);
        if (t && !all.has(t) && FOLLOWED.has(t.split('/')[0] ?? '')) wanted.add(t);
      }
    }
    if (wanted.size === 0) break;
    const stale = [...wanted].filter((t) => !fresh.has(t.split('/')[0] ?? ''));
    const refetch = [...wanted].filter((t) => fresh.has(t.split('/')[0] ?? ''));
    frontier = (await fetch(stale, refetch)).filter((r) => !all.has(`${r.resourceType}/${r.id ?? ''}`));
    for (const r of frontier) all.set(`${r.resourceType}/${r.id ?? ''}`, r);
  }
  return [...all.values()];
}

/**
 * `seeds` plus every resource they reference, transitively, among the followed types: fetched by id in bulk, from
 * the per-instance cache unless the type is in `fresh` (Goals and CareTeams change; people and agencies rarely do).
 */
export function withReferenced(
  ctx: PeerContext,
  seeds: readonly FhirResource[],
  opts: RequestOptions,
  fresh: ReadonlySet<string> = new Set(),
): Promise<FhirResource[]> {
  return expandReferences(seeds, fresh, async (stale, refetch) => [...(await ctx.cache.getAll(stale, opts)), ...(await ctx.cache.getAll(refetch, opts, true))]);
}

/**
 * What {@link withReferenced} returns for `seeds`, taken from `pool` (resources already read, by `Type/id`) without
 * I/O: the same resources in the same order when `pool` holds what `withReferenced` read (with the same `fresh`) for
 * a superset of `seeds`.
 */
export function referencedIn(seeds: readonly FhirResource[], pool: ReadonlyMap<string, FhirResource>, fresh: ReadonlySet<string> = new Set()): Promise<FhirResource[]> {
  const take = (refs: readonly string[]) => refs.flatMap((r) => pool.get(r) ?? []);
  return expandReferences(seeds, fresh, async (stale, refetch) => [...take(stale), ...take(refetch)]);
}

/** Every match of a search, all pages. */
export async function searchList<T extends FhirResource>(ctx: PeerContext, type: T['resourceType'], params: URLSearchParams, opts: RequestOptions): Promise<Retrieved<T>[]> {
  const out: Retrieved<T>[] = [];
  for await (const r of ctx.client.searchAll(type as ResourceType, params, opts)) out.push(r as Retrieved<T>);
  return out;
}

export function toDomain(ctx: PeerContext, resources: readonly FhirResource[]): CompleteDomainRecords {
  return fromFhir(resources, ns(ctx));
}

/** The resource with this peer-fhir identifier, or a {@link PeerRecordNotFoundError}. */
export async function findOrThrow<T extends FhirResource>(ctx: PeerContext, key: RecordKey, opts: RequestOptions, what: string): Promise<Retrieved<T>> {
  const found = await ctx.lookup.find<T>(key, opts);
  if (!found) throw new PeerRecordNotFoundError(key.resourceType, key.system, what);
  return found;
}

/** The Patient of a participant (by domain id). */
export function findPatient(ctx: PeerContext, participantId: string, opts: RequestOptions): Promise<Retrieved<Patient>> {
  return findOrThrow<Patient>(ctx, ctx.keys.participant(participantId), opts, 'participant');
}

/** A stored CarePlan read back as a RecoveryPlan, with the FHIR resources it was read from. */
export async function loadPlan(ctx: PeerContext, carePlan: Retrieved<CarePlan>, opts: RequestOptions): Promise<{ domain: CompleteDomainRecords; resources: FhirResource[] }> {
  const provenance = await searchList<Provenance>(ctx, 'Provenance', new URLSearchParams({ target: `CarePlan/${carePlan.id}`, _count: '100' }), opts);
  const resources = await withReferenced(ctx, [carePlan, ...provenance], opts, new Set(['Goal', 'CareTeam']));
  return { domain: toDomain(ctx, resources), resources };
}

/** A participant's Consents (FHIR, as stored) and the same read back as ConsentDirectives, in the same order. */
export async function loadConsents(
  ctx: PeerContext,
  patient: Retrieved<Patient>,
  opts: RequestOptions,
): Promise<{ fhir: Retrieved<Consent>[]; domain: CompleteDomainRecords['consents'] }> {
  const stored = await searchList<Consent>(ctx, 'Consent', new URLSearchParams({ patient: `Patient/${patient.id}`, _count: '100' }), opts);
  const ours = stored.filter((c) => c.identifier?.some((i) => i.system === ctx.ids.consent));
  const resources = await withReferenced(ctx, [patient, ...ours], opts);
  const domain = toDomain(ctx, resources).consents;
  // fromFhir keeps the order of the Consent resources it was given.
  return { fhir: ours, domain };
}
