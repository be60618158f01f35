/**
 * The accounting of disclosures (42 CFR 2.24 / 2.25, HIPAA 45 CFR 164.528): one FHIR AuditEvent per disclosure, and
 * the reading of those events back into "who received this person's records". Events refer to resources by
 * reference only, never by content, and carry no names.
 * @module
 */
import type { AuditEvent, AuditEventEntity, Coding, Reference } from 'fhir/r4.js';
import { PeerFhirValidationError, type ValidationIssue } from '../errors.js';
import { IsoDateTime } from '../domain/common.js';
import { Purposes } from '../terminology/codes.js';
import { PEER_FHIR_CANONICAL, Systems } from '../terminology/systems.js';
import { ExchangeProfiles } from '../terminology/exchange-profiles.js';
import { isPart2Protected, part2SecurityLabels } from './part2-labels.js';
import { partyReference, type PartyIdentity } from './redisclosure-notice.js';

/**
 * The codings that mark an AuditEvent as a peer-fhir disclosure record: `type` DICOM 110106 Export, `subtype`
 * consentaction `disclose`, and the channel the disclosure went through (a peer-fhir code).
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @example
 * ```ts
 * const params = new URLSearchParams({ type: `${DisclosureAudit.type.system}|${DisclosureAudit.type.code}` });
 * ```
 * @category Security labels
 */
export const DisclosureAudit = {
  type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' },
  subtype: { system: Systems.CONSENT_ACTION, code: 'disclose', display: 'Disclose' },
  channelSystem: `${PEER_FHIR_CANONICAL}/CodeSystem/disclosure-channel`,
} as const;

/**
 * How a disclosure left: a FHIR Bundle (`PeerClient.disclose`), a claim in an X12 837P, or a FHIR Claim.
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @example
 * ```ts
 * const channel: DisclosureChannel = 'x12-837p';
 * ```
 * @category Security labels
 */
export type DisclosureChannel = 'fhir-bundle' | 'x12-837p' | 'fhir-claim';

/**
 * What one disclosure record says: who disclosed, to whom, why, under which consents, which resources (by
 * reference), about which patients, when, and whether Part 2 data was in it.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24
 * @example
 * ```ts
 * const audit = buildDisclosureAuditEvent({ discloser: { npi: '1234567893' }, recipient: { npi: '1234567802' },
 *   purpose: 'payment', consentIds: ['c-1'], at: '2026-03-01T10:00:00Z', resources: ['Claim/9'],
 *   patients: ['Patient/7'], part2: true, channel: 'x12-837p' });
 * ```
 * @category Security labels
 */
export interface DisclosureAuditOptions {
  discloser: PartyIdentity;
  recipient: PartyIdentity;
  purpose: keyof typeof Purposes;
  /** The consents relied on (Consent entities by their domain id). */
  consentIds: readonly string[];
  /** When the disclosure is made, a timestamp with offset (`AuditEvent.recorded`). */
  at: string;
  /** The disclosed resources, as `Type/id` references or logical references (type + identifier). */
  resources: readonly (string | Reference)[];
  /** The patients whose records are disclosed, as `Patient/{id}` references or logical references. */
  patients: readonly (string | Reference)[];
  part2: boolean;
  channel: DisclosureChannel;
}

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const entityType = (code: '1' | '2', display: string): Coding => ({ system: ENTITY_TYPE, code, display });
const role = (code: '1' | '4' | '13', display: string): Coding => ({ system: OBJECT_ROLE, code, display });
const CONSENT_ID_SYSTEM = `${PEER_FHIR_CANONICAL}/sid/consent-id`;

/** References only, no display (a display could carry a name): literal ones as given, logical ones by type + identifier. */
function uniqueRefs(refs: readonly (string | Reference)[]): Reference[] {
  const seen = new Set<string>();
  const out: Reference[] = [];
  for (const r of refs) {
    const ref: Reference =
      typeof r === 'string'
        ? { reference: r }
        : {
            ...(r.reference === undefined ? {} : { reference: r.reference }),
            ...(r.type === undefined ? {} : { type: r.type }),
            ...(r.identifier === undefined ? {} : { identifier: { system: r.identifier.system, value: r.identifier.value } }),
          };
    const key = refKey(ref);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
  }
  return out;
}

/** `Type/id`, or `Type?identifier=system|value` for a logical reference; `''` for neither. */
function refKey(ref: Reference | undefined): string {
  if (ref?.reference !== undefined) return ref.reference;
  if (ref?.identifier?.value !== undefined) return `${ref.type ?? ''}?identifier=${ref.identifier.system ?? ''}|${ref.identifier.value}`;
  return '';
}

/**
 * Build the AuditEvent that records one disclosure, for the accounting of disclosures. Entities: each patient
 * (role Patient), each disclosed resource (role Domain Resource, by reference) and each consent relied on (role
 * Security Resource, by its id as an identifier); agents: the discloser (requestor) and the recipient (v3
 * ParticipationType IRCP); `purposeOfEvent` from the purpose. A Part 2 disclosure record is itself Part 2 data
 * (it tells that the patient was in a Part 2 program): it carries the four Part 2 labels.
 *
 * Throws `PeerFhirValidationError` when `at` is not a timestamp or there is no resource.
 *
 * @param options - what was disclosed, to whom, for what purpose, when, and under which consents
 * @returns a FHIR R4 AuditEvent recording the disclosure
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24
 * @example
 * ```ts
 * const audit = buildDisclosureAuditEvent({ discloser: { npi: '1234567893' }, recipient: { npi: '1234567802' },
 *   purpose: 'payment', consentIds: ['c-1'], at: '2026-03-01T10:00:00Z', resources: ['Encounter/1'],
 *   patients: ['Patient/7'], part2: true, channel: 'fhir-bundle' });
 * ```
 * @category Security labels
 */
export function buildDisclosureAuditEvent(options: DisclosureAuditOptions): AuditEvent {
  const issues: ValidationIssue[] = [];
  if (!IsoDateTime.safeParse(options.at).success) {
    issues.push({ path: 'at', code: 'invalid_format', message: 'must be a timestamp YYYY-MM-DDThh:mm:ss with Z or an offset' });
  }
  if (options.resources.length === 0) issues.push({ path: 'resources', code: 'too_small', message: 'needs at least 1 item(s)' });
  if (issues.length > 0) throw new PeerFhirValidationError('DisclosureAuditEvent', issues);
  const purpose = Purposes[options.purpose];
  const discloser: Reference = partyReference({ ...options.discloser, kind: options.discloser.kind ?? 'organization' });
  const entity: AuditEventEntity[] = [
    ...uniqueRefs(options.patients).map((p) => ({ what: p, type: entityType('1', 'Person'), role: role('1', 'Patient') })),
    ...uniqueRefs(options.resources).map((r) => ({ what: r, type: entityType('2', 'System Object'), role: role('4', 'Domain Resource') })),
    ...options.consentIds.map((id) => ({
      what: { type: 'Consent', identifier: { system: CONSENT_ID_SYSTEM, value: id } },
      type: entityType('2', 'System Object'),
      role: role('13', 'Security Resource'),
    })),
  ];
  return {
    resourceType: 'AuditEvent',
    meta: { profile: [ExchangeProfiles.DisclosureAudit], ...(options.part2 ? { security: part2SecurityLabels() } : {}) },
    type: { ...DisclosureAudit.type },
    subtype: [{ ...DisclosureAudit.subtype }, { system: DisclosureAudit.channelSystem, code: options.channel }],
    action: 'R',
    recorded: options.at,
    outcome: '0',
    purposeOfEvent: [{ coding: [{ system: Systems.V3_ACT_REASON, code: purpose.code, display: purpose.display }] }],
    agent: [
      { type: { coding: [{ system: Systems.V3_PARTICIPATION_TYPE, code: 'AUT', display: 'author (originator)' }] }, who: discloser, requestor: true },
      {
        type: { coding: [{ system: Systems.V3_PARTICIPATION_TYPE, code: 'IRCP', display: 'information recipient' }] },
        who: partyReference(options.recipient),
        requestor: false,
      },
    ],
    source: { observer: discloser },
    entity,
  };
}

/**
 * One line of an accounting of disclosures, read back from a disclosure AuditEvent.
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24
 * @example
 * ```ts
 * for (const d of entries) console.log(d.at, d.recipient.npi, d.purpose, d.consentIds.join(','), d.resourceCount);
 * ```
 * @category Security labels
 */
export interface DisclosureAccountingEntry {
  /** `AuditEvent/{id}` when the event was read from a server. */
  auditEvent?: string;
  at: string;
  recipient: PartyIdentity;
  discloser: PartyIdentity;
  purpose: keyof typeof Purposes | undefined;
  consentIds: string[];
  resources: string[];
  resourceCount: number;
  patients: string[];
  part2: boolean;
  channel: DisclosureChannel | undefined;
}

const PURPOSE_BY_CODE: ReadonlyMap<string, keyof typeof Purposes> = new Map(
  (Object.keys(Purposes) as (keyof typeof Purposes)[]).map((k) => [Purposes[k].code, k] as const),
);

function partyOf(ref: Reference | undefined): PartyIdentity {
  const kind = ref?.type === 'Practitioner' ? 'practitioner' : 'organization';
  const id = ref?.identifier;
  if (id?.system === Systems.NPI && id.value !== undefined) return { npi: id.value, kind };
  if (id?.system !== undefined && id.value !== undefined) return { identifier: { system: id.system, value: id.value }, kind };
  return { kind };
}

/**
 * Read a disclosure AuditEvent (as {@link buildDisclosureAuditEvent} writes it) back as an accounting entry;
 * `undefined` for any other AuditEvent.
 * @param event - an AuditEvent
 * @returns the accounting entry, or undefined when it is not a disclosure peer-fhir recorded
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @example
 * ```ts
 * const entries = events.map(readDisclosureAuditEvent).filter((e) => e !== undefined);
 * ```
 * @category Security labels
 */
export function readDisclosureAuditEvent(event: AuditEvent): DisclosureAccountingEntry | undefined {
  const isOurs =
    event.type.system === DisclosureAudit.type.system &&
    event.type.code === DisclosureAudit.type.code &&
    (event.subtype ?? []).some((s) => s.system === DisclosureAudit.subtype.system && s.code === DisclosureAudit.subtype.code);
  if (!isOurs) return undefined;
  const roleOf = (e: AuditEventEntity) => (e.role?.system === OBJECT_ROLE ? e.role.code : undefined);
  const entities = event.entity ?? [];
  const resources = entities.filter((e) => roleOf(e) === '4').map((e) => refKey(e.what)).filter((r) => r !== '');
  const channel = (event.subtype ?? []).find((s) => s.system === DisclosureAudit.channelSystem)?.code as DisclosureChannel | undefined;
  const purposeCode = event.purposeOfEvent?.[0]?.coding?.find((c) => c.system === Systems.V3_ACT_REASON)?.code;
  return {
    ...(event.id === undefined ? {} : { auditEvent: `AuditEvent/${event.id}` }),
    at: event.recorded,
    discloser: partyOf(event.agent.find((a) => a.requestor)?.who),
    recipient: partyOf(event.agent.find((a) => a.type?.coding?.some((c) => c.code === 'IRCP'))?.who),
    purpose: purposeCode === undefined ? undefined : PURPOSE_BY_CODE.get(purposeCode),
    consentIds: entities.filter((e) => roleOf(e) === '13').map((e) => e.what?.identifier?.value ?? '').filter((v) => v !== ''),
    resources,
    resourceCount: resources.length,
    patients: entities.filter((e) => roleOf(e) === '1').map((e) => refKey(e.what)).filter((r) => r !== ''),
    part2: isPart2Protected(event),
    channel,
  };
}
