import type {
  Bundle,
  BundleEntry,
  Claim,
  Coverage,
  FhirResource,
  Identifier,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Reference,
} from 'fhir/r4.js';
import { normalizeSystem } from '@peer-fhir/core';
import { X12InputError, type X12Issue } from '../errors.js';
import { CARE_TEAM_ROLE_SYSTEM } from '../internal/systems.js';
import type { X12ClaimInput } from './input.js';

interface ResourceIndex {
  /** By `fullUrl`, `Type/id` (and absolute URL without history). */
  readonly literal: Map<string, FhirResource>;
  /** By `Type|system|value` of every identifier (systems normalised by core), for logical references. */
  readonly identifier: Map<string, FhirResource[]>;
  /** The claim's contained resources by `#id`. */
  readonly contained: Map<string, FhirResource>;
}

const identifierKey = (type: string, system: string | undefined, value: string): string => `${type}|${normalizeSystem(system) ?? ''}|${value}`;

/** The index of a bundle's entries (everything but the claim's contained resources). */
function indexEntries(entries: readonly BundleEntry[]): Omit<ResourceIndex, 'contained'> {
  const literal = new Map<string, FhirResource>();
  const identifier = new Map<string, FhirResource[]>();
  const put = (r: FhirResource, fullUrl?: string) => {
    if (fullUrl) literal.set(fullUrl, r);
    if (r.id) {
      literal.set(`${r.resourceType}/${r.id}`, r);
      if (fullUrl && /^https?:/.test(fullUrl)) literal.set(fullUrl.replace(/\/_history\/.*$/, ''), r);
    }
    const ids = 'identifier' in r ? r.identifier : undefined;
    for (const i of Array.isArray(ids) ? (ids as Identifier[]) : ids ? [ids as Identifier] : []) {
      if (!i.value) continue;
      const key = identifierKey(r.resourceType, i.system, i.value);
      const known = identifier.get(key);
      if (!known) identifier.set(key, [r]);
      else if (!known.includes(r)) known.push(r);
    }
  };
  for (const e of entries) if (e.resource) put(e.resource as FhirResource, e.fullUrl);
  return { literal, identifier };
}

/** The bundle's index with the claim's contained resources. */
function indexResources(claim: Claim, entries: Omit<ResourceIndex, 'contained'>): ResourceIndex {
  const contained = new Map<string, FhirResource>();
  for (const r of (claim.contained ?? []) as FhirResource[]) if (r.id) contained.set(`#${r.id}`, r);
  return { ...entries, contained };
}

/** A logical reference (`identifier`, with `type` or one of the expected types) resolved in the bundle. */
function byIdentifier(
  index: ResourceIndex,
  ref: Reference,
  types: readonly string[],
  path: string,
  issues: X12Issue[],
): FhirResource | undefined {
  const { system, value } = ref.identifier ?? {};
  if (!value) {
    issues.push({ path: `${path}.identifier`, message: 'a logical reference needs an identifier value' });
    return undefined;
  }
  const candidates = (ref.type ? [ref.type.replace(/^.*\//, '')] : types).flatMap((t) => index.identifier.get(identifierKey(t, system, value)) ?? []);
  if (candidates.length > 1) {
    issues.push({ path: `${path}.identifier`, message: 'matches more than one resource in the bundle' });
    return undefined;
  }
  return candidates[0];
}

function lookup<T extends FhirResource['resourceType']>(
  index: ResourceIndex,
  ref: Reference | undefined,
  type: T | readonly T[],
  path: string,
  issues: X12Issue[],
): Extract<FhirResource, { resourceType: T }> | undefined {
  const types: readonly string[] = Array.isArray(type) ? type : [type];
  if (!ref?.reference && !ref?.identifier) {
    issues.push({ path, message: `reference to ${types.join(' or ')} required` });
    return undefined;
  }
  let found: FhirResource | undefined;
  if (ref.reference) {
    const raw = ref.reference;
    found = index.contained.get(raw) ?? index.literal.get(raw);
    if (!found) {
      const m = /([A-Za-z]+\/[^/]+)(\/_history\/.*)?$/.exec(raw);
      if (m?.[1]) found = index.literal.get(m[1]);
    }
  }
  if (!found && ref.identifier) {
    const before = issues.length;
    found = byIdentifier(index, ref, types, path, issues);
    if (issues.length > before) return undefined;
  }
  if (!found) {
    issues.push({ path, message: `referenced ${types.join(' or ')} not found in the bundle or contained resources` });
    return undefined;
  }
  if (!types.includes(found.resourceType)) {
    issues.push({ path, message: `must reference ${types.join(' or ')}` });
    return undefined;
  }
  return found as Extract<FhirResource, { resourceType: T }>;
}

/**
 * Resolve the resources a professional `Claim` references into an {@link X12ClaimInput}.
 *
 * Looks literal references up in `bundle` (by `fullUrl` and `Type/id`) and in `claim.contained` (`#id`), and logical
 * references (`Reference.identifier`, with `Reference.type` or the type the element expects) by the identifiers of
 * the bundle's resources — so the Claims `@peer-fhir/billing` builds resolve against a bundle of core's `toFhir` output.
 * A literal reference wins when both are given; an identifier that matches two resources is an error.
 * `provider` -> billing Organization, `patient` -> Patient, focal `insurance.coverage` -> Coverage,
 * `insurer` (else `Coverage.payor[0]`) -> payer Organization, the `careTeam` member with role `primary`
 * (else the first) -> PractitionerRole/Practitioner, role `supervisor` -> supervising Practitioner.
 * Throws one {@link X12InputError} listing every missing piece (paths only).
 *
 * Spec: FHIR R4 Claim (https://hl7.org/fhir/R4/claim.html); 837P loops 2010AA/2010BA/2010BB/2310B/2310D.
 *
 * @param claim - a professional Claim
 * @param bundle - a Bundle holding the resources it references
 * @returns the claim with its billing provider, subscriber, coverage, payer and providers
 * @example
 * const input = resolveX12ClaimInput(claim, bundle);
 * const text = write837P([input], options);
 * @category 837P
 */
export function resolveX12ClaimInput(claim: Claim, bundle?: Bundle): X12ClaimInput {
  return resolveIndexed(claim, indexEntries(bundle?.entry ?? []));
}

/**
 * {@link resolveX12ClaimInput} for many claims that reference the same bundle: the bundle is indexed once for all of
 * them (once per claim is quadratic in a month's claims). Same inputs, in the claims' order; the first claim with a
 * missing piece throws its {@link X12InputError}.
 *
 * @param claims - professional Claims
 * @param bundle - a Bundle holding the resources they reference
 * @returns one input per claim, in order
 * @example
 * const inputs = resolveX12ClaimInputs(claims, bundle);
 * const text = write837P(inputs, options);
 * @category 837P
 */
export function resolveX12ClaimInputs(claims: readonly Claim[], bundle?: Bundle): X12ClaimInput[] {
  const entries = indexEntries(bundle?.entry ?? []);
  return claims.map((claim) => resolveIndexed(claim, entries));
}

/** One claim resolved against a bundle's index (see {@link resolveX12ClaimInput}). */
function resolveIndexed(claim: Claim, entries: Omit<ResourceIndex, 'contained'>): X12ClaimInput {
  const issues: X12Issue[] = [];
  const index = indexResources(claim, entries);

  const billingProvider = lookup(index, claim.provider, 'Organization', 'claim.provider', issues);
  const subscriber = lookup(index, claim.patient, 'Patient', 'claim.patient', issues);
  const insurance = claim.insurance?.find((i) => i.focal) ?? claim.insurance?.[0];
  const coverage = lookup(index, insurance?.coverage, 'Coverage', 'claim.insurance.coverage', issues);
  const payerRef = claim.insurer ?? coverage?.payor?.[0];
  const payer = lookup(index, payerRef, 'Organization', claim.insurer ? 'claim.insurer' : 'coverage.payor[0]', issues);

  const hasRole = (code: string) => (m: NonNullable<Claim['careTeam']>[number]) =>
    !!m.role?.coding?.some((c) => c.system === CARE_TEAM_ROLE_SYSTEM && c.code === code);
  const team = claim.careTeam ?? [];
  const primary = team.find(hasRole('primary')) ?? team.find((m) => !hasRole('supervisor')(m));
  const primaryIdx = primary ? team.indexOf(primary) : 0;
  let practitioner: Practitioner | undefined;
  let practitionerRole: PractitionerRole | undefined;
  const rendering = lookup(index, primary?.provider, ['Practitioner', 'PractitionerRole'], `claim.careTeam[${primaryIdx}].provider`, issues);
  if (rendering?.resourceType === 'PractitionerRole') {
    practitionerRole = rendering;
    practitioner = lookup(index, rendering.practitioner, 'Practitioner', `claim.careTeam[${primaryIdx}].provider.practitioner`, issues);
  } else if (rendering?.resourceType === 'Practitioner') {
    practitioner = rendering;
  }

  let supervising: Practitioner | undefined;
  const sup = team.find(hasRole('supervisor'));
  if (sup) {
    const supIdx = team.indexOf(sup);
    const r = lookup(index, sup.provider, ['Practitioner', 'PractitionerRole'], `claim.careTeam[${supIdx}].provider`, issues);
    supervising =
      r?.resourceType === 'PractitionerRole'
        ? lookup(index, r.practitioner, 'Practitioner', `claim.careTeam[${supIdx}].provider.practitioner`, issues)
        : r;
  }

  if (issues.length) throw new X12InputError(issues);
  return {
    claim,
    billingProvider: billingProvider as Organization,
    subscriber: subscriber as Patient,
    coverage: coverage as Coverage,
    payer: payer as Organization,
    rendering: { practitioner: practitioner as Practitioner, ...(practitionerRole ? { practitionerRole } : {}) },
    ...(supervising ? { supervising } : {}),
  };
}
