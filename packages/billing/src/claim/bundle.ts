/**
 * Billable lines -> a FHIR `collection` Bundle: the Claims plus every resource they reference, mapped by core's
 * `toFhir`, so an X12 writer (or any reader) resolves the Claims' logical references inside one document.
 * @module
 */
import {
  PeerFhirValidationError,
  toFhir,
  type Organization,
  type Participant,
  type PeerSpecialist,
  type ValidationIssue,
} from '@peer-fhir/core';
import type { Bundle, BundleEntry } from 'fhir/r4.js';
import type { BillingLine } from '../decision.js';
import { buildClaims, type ClaimOptions } from './build.js';

/**
 * The domain records the Claims of a set of lines refer to: billing organizations, rendering specialists (with their
 * supervisors) and participants (with their Medicaid coverages). Records no line refers to are left out of the bundle.
 *
 * @see https://hl7.org/fhir/R4/claim.html
 * @example
 * ```ts
 * const records: ClaimBundleRecords = { organizations: [agency], specialists, participants };
 * ```
 * @category Claims
 */
export interface ClaimBundleRecords {
  organizations: readonly Organization[];
  specialists: readonly PeerSpecialist[];
  participants: readonly Participant[];
}

/** Every record the lines need, or the issues (paths only, no values: they may be PHI). */
function select(lines: readonly BillingLine[], records: ClaimBundleRecords) {
  const issues: ValidationIssue[] = [];
  const organizations = new Map<string, Organization>();
  const specialists = new Map<string, PeerSpecialist>();
  const participants = new Map<string, Participant>();
  const orgByNpi = new Map(records.organizations.map((o) => [o.npi, o]));
  const specialistByKey = new Map(records.specialists.map((s) => [`${s.npi}:${s.organizationNpi}`, s]));
  const namingSupervisor = new Map<string, PeerSpecialist>();
  for (const s of records.specialists) if (s.supervisor && !namingSupervisor.has(s.supervisor.npi)) namingSupervisor.set(s.supervisor.npi, s);
  const participantById = new Map(records.participants.map((p) => [p.id, p]));
  lines.forEach((l, i) => {
    const at = (field: string) => `lines[${i}].${field}`;
    const org = orgByNpi.get(l.organizationNpi);
    if (org) organizations.set(org.npi, org);
    else issues.push({ path: at('organizationNpi'), code: 'missing_record', message: 'no organization record with this NPI' });

    const specialist = specialistByKey.get(`${l.specialistNpi}:${l.organizationNpi}`);
    if (specialist) specialists.set(`${specialist.npi}:${specialist.organizationNpi}`, specialist);
    else issues.push({ path: at('specialistNpi'), code: 'missing_record', message: 'no specialist record with this NPI at the billing organization' });
    // core maps a supervisor only as the supervisor of a specialist (PractitionerRole extension + Practitioner).
    if (l.supervisorNpi !== undefined && specialist?.supervisor?.npi !== l.supervisorNpi) {
      const naming = namingSupervisor.get(l.supervisorNpi);
      if (naming) specialists.set(`${naming.npi}:${naming.organizationNpi}`, naming);
      else issues.push({ path: at('supervisorNpi'), code: 'missing_record', message: 'no specialist record names this supervisor' });
    }

    const participant = participantById.get(l.participantId);
    if (!participant) {
      issues.push({ path: at('participantId'), code: 'missing_record', message: 'no participant record with this id' });
      return;
    }
    participants.set(participant.id, participant);
    if (!participant.coverages.some((c) => c.payerId === l.payerId && c.period.start === l.coverageStart)) {
      issues.push({ path: at('coverageStart'), code: 'missing_record', message: 'the participant has no coverage of this payer starting on this date' });
    }
  });
  return { issues, organizations: [...organizations.values()], specialists: [...specialists.values()], participants: [...participants.values()] };
}

/**
 * Build the Claims for `lines` (as {@link buildClaims} does) and a FHIR R4 `collection` Bundle holding them, followed
 * by every resource they reference: the billing Organization, the rendering PractitionerRole and Practitioner, the
 * supervising Practitioner, the Patient, the Coverage and the payer Organization, each mapped by core's `toFhir` with
 * the same `namespace` (so the Claims' references by identifier match the resources' identifiers). Claims come first,
 * in `buildClaims` order; the other entries keep `toFhir`'s `urn:uuid` fullUrls and lose the transaction `request`.
 *
 * No lines (everything held) give an empty `collection` Bundle. Throws `PeerFhirValidationError` (record type
 * `ClaimBundle`) listing every line whose organization, specialist,
 * supervisor, participant or coverage is not in `records`, by path (`lines[3].participantId`), never by value.
 *
 * @param lines - billable lines from `evaluate`
 * @param records - the participants, specialists and organizations the claims reference
 * @param options - claim building options (identity scope, payer, taxonomies)
 * @returns a FHIR R4 `collection` Bundle of the Claims and every resource they reference
 * @see https://hl7.org/fhir/R4/bundle.html#bundle-unique
 * @see https://hl7.org/fhir/R4/claim.html
 * @example
 * ```ts
 * const bundle = buildClaimBundle(result.lines, { organizations: [agency], specialists, participants },
 *   { pack, created: '2026-01-15' });
 * const claims = bundle.entry!.flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
 * const inputs = claims.map((c) => resolveX12ClaimInput(c, bundle)); // @peer-fhir/x12
 * ```
 * @category Claims
 */
export function buildClaimBundle(lines: readonly BillingLine[], records: ClaimBundleRecords, options: ClaimOptions): Bundle {
  // Nothing billed (every item held): no claim, and no agency to scope records by — an empty document, not an error.
  if (lines.length === 0) return { resourceType: 'Bundle', type: 'collection', entry: [] };
  const selected = select(lines, records);
  if (selected.issues.length) throw new PeerFhirValidationError('ClaimBundle', selected.issues);
  const mapped = toFhir(
    { organizations: selected.organizations, specialists: selected.specialists, participants: selected.participants },
    options.namespace === undefined ? {} : { namespace: options.namespace },
  );
  // Claim.patient refers to the Patient entry by its fullUrl (a literal reference inside the bundle).
  const fullUrls = new Map<string, string>();
  for (const e of mapped.entry ?? []) {
    for (const id of (e.resource as { identifier?: { system?: string; value?: string }[] } | undefined)?.identifier ?? []) {
      if (e.fullUrl && e.resource) fullUrls.set(`${e.resource.resourceType}|${id.system}|${id.value}`, e.fullUrl);
    }
  }
  const claims = buildClaims(lines, {
    ...options,
    existing: (key) => options.existing?.(key) ?? fullUrls.get(`${key.resourceType}|${key.system}|${key.value}`),
  });
  const referenced: BundleEntry[] = (mapped.entry ?? []).map((e) => ({ ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}), ...(e.resource ? { resource: e.resource } : {}) }));
  return { resourceType: 'Bundle', type: 'collection', entry: [...claims.map((resource) => ({ resource })), ...referenced] };
}
