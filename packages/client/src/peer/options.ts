import type { Bundle, CarePlan } from 'fhir/r4.js';
import type {
  ConsentDirective,
  DeniedResource,
  DisclosureRecipient,
  Organization,
  Participant,
  PeerEncounter,
  PeerSpecialist,
  PurposeKey,
  RecoveryGoal,
  RecoveryPlan,
} from '@peer-fhir/core';
import type { PeerFhirClient } from '../client.js';
import type { AuthOption } from '../auth/options.js';
import type { RecordAllOptions, RecordAllSummary, RecordConflict } from '../record-all.js';
import type { RequestOptions, Retrieved } from '../types.js';

/**
 * Options of {@link PeerClient}: the agency whose records it writes and reads, and the identifier namespace prefix,
 * shared with core's `toFhir`/`fromFhir`. Every identifier is scoped to the agency, so two agencies on one server
 * never meet.
 *
 * See https://hl7.org/fhir/R4/datatypes.html#Identifier.
 * @example
 * ```ts
 * const peer = new PeerClient(client, { agency: '1234567893', namespace: 'https://ehr.example.org/ids' });
 * ```
 * @category Peer operations
 */
export interface PeerClientOptions {
  /** Organization NPI of the agency (Type 2 NPI); every record written or read is this agency's. */
  agency: string;
  /** Namespace prefix of the identifiers peer-fhir mints; use the same value everywhere (default `urn:peer-fhir`). */
  namespace?: string | undefined;
}

/**
 * Records referenced by what is being written, to include when they may not be on the server yet.
 * Records already on the server are found by identifier and need not be given.
 *
 * See https://hl7.org/fhir/R4/http.html#ccreate.
 * @example
 * ```ts
 * const refs: ReferencedRecords = { participants: [p], specialist: peer, organization: agency };
 * ```
 * @category Peer operations
 */
export interface ReferencedRecords {
  participants?: readonly Participant[] | undefined;
  specialist?: PeerSpecialist | undefined;
  organization?: Organization | undefined;
}

/**
 * Options of {@link PeerClient.recordEncounter}: referenced records plus per-request options.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * await peer.recordEncounter(enc, { participants: [p], timeoutMs: 10_000 });
 * ```
 * @category Peer operations
 */
export interface RecordEncounterOptions extends ReferencedRecords, RequestOptions {}

/**
 * One resource written (or found) by a peer operation: `Type/id` and whether this call created it.
 *
 * See https://hl7.org/fhir/R4/bundle.html#transaction-response.
 * @example
 * ```ts
 * const made = result.resources.filter((r: WrittenResource) => r.created).map((r) => r.reference);
 * ```
 * @category Peer operations
 */
export interface WrittenResource {
  /** `Type/id` on the server. */
  reference: string;
  resourceType: string;
  id: string;
  /** `true` when this call created it (201), `false` when it already existed (200). */
  created: boolean;
}

/**
 * What {@link PeerClient.recordEncounter} wrote: the Encounter ids (a group session's parent first, then one per
 * attendee), the encounter-diagnosis Conditions, the notes, and every entry of the transaction.
 *
 * See https://hl7.org/fhir/R4/encounter.html.
 * @example
 * ```ts
 * const { encounterIds, created } = await peer.recordEncounter(enc);
 * ```
 * @category Peer operations
 */
export interface RecordedEncounter {
  /** `Encounter/id` of the encounter; for a group session the parent first, then the attendees'. */
  encounterIds: string[];
  /** `Condition/id` of each encounter diagnosis. */
  conditionIds: string[];
  /** `DocumentReference/id` of each note. */
  documentReferenceIds: string[];
  /** Every resource in the transaction, in order. */
  resources: WrittenResource[];
  /** `true` when anything was created; `false` when the encounter was already recorded. */
  created: boolean;
}

/**
 * Options of {@link PeerClient.recordEncounters}: the records encounters refer to (written first, once) and how the
 * encounters are grouped into transactions. `bundleSize` counts encounters here (not entries, as in `recordAll`): a
 * default call sends one transaction per 100 encounters, each within `maxEntries` entries, 4 in flight.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * // A server that accepts at most 500 entries per Bundle (Azure Health Data Services' FHIR service):
 * await peer.recordEncounters(encounters, { participants, specialists, organizations: [agency], bundleSize: 100, maxEntries: 500 });
 * ```
 * @category Peer operations
 */
export interface RecordEncountersOptions extends Omit<RecordAllOptions, 'bundleSize' | 'recordsPerBundle'> {
  participants?: readonly Participant[] | undefined;
  specialists?: readonly PeerSpecialist[] | undefined;
  organizations?: readonly Organization[] | undefined;
  /** Encounters per transaction (default 100); an encounter's resources always travel together. */
  bundleSize?: number | undefined;
  /**
   * Most entries per transaction (default {@link DEFAULT_MAX_BUNDLE_ENTRIES}, 1,000): a transaction closes early when
   * the next encounter would pass it. Lower it for servers with a smaller cap (Azure Health Data Services: 500 entries
   * per Bundle; AWS HealthLake: 160 resources per Bundle).
   */
  maxEntries?: number | undefined;
  /**
   * Awaited once the roster is stored and located and the encounters are mapped, before any encounter (or an entry
   * they share, such as a peer group) is sent. A caller that writes batches one after another can start the next
   * batch when this is called (its roster may then name this batch's participants, which are stored) and hold this
   * batch's encounters back until the previous batch has landed: `peer-fhir import` maps one batch while the server
   * stores the one before, and no two batches ever send the same shared entry at once. Not called when the mapping
   * or the roster failed (the call throws).
   */
  beforeWrite?: (() => Promise<void> | void) | undefined;
}

/**
 * Entries per transaction {@link PeerClient.recordEncounters} stays within unless `maxEntries` says otherwise: 100
 * encounters (about 7-8 entries each: Encounter, diagnoses, note, group attendees) fit, and a 1,000-entry Bundle of
 * them is about 2.5 MB, well under the 16 MiB body limit of the embedded server.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * const cap = Math.min(DEFAULT_MAX_BUNDLE_ENTRIES, 500);
 * ```
 * @category Peer operations
 */
export const DEFAULT_MAX_BUNDLE_ENTRIES = 1000;

/**
 * Options of {@link PeerClient.upsertRecoveryPlan}.
 *
 * See https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * await peer.upsertRecoveryPlan(plan, { ifMatch: lastSeenVersionId }); // 412 if someone changed it since
 * ```
 * @category Peer operations
 */
export interface UpsertRecoveryPlanOptions extends RequestOptions {
  /** The CarePlan version the caller last saw; default the version read just before the update. */
  ifMatch?: string | undefined;
  /** The participant, when it may not be on the server yet. */
  participant?: Participant | undefined;
  /** The plan's peer specialist, to make `CarePlan.author` the PractitionerRole. */
  specialist?: PeerSpecialist | undefined;
}

/**
 * Result of {@link PeerClient.upsertRecoveryPlan}: the stored CarePlan, its version, and what changed.
 *
 * See https://hl7.org/fhir/R4/careplan.html.
 * @example
 * ```ts
 * const { carePlan, versionId, created } = await peer.upsertRecoveryPlan(plan);
 * ```
 * @category Peer operations
 */
export interface UpsertRecoveryPlanResult {
  carePlan: Retrieved<CarePlan>;
  versionId: string;
  /** `true` on the first write of the plan. */
  created: boolean;
  /** `Type/id` of every resource created or updated by this call (empty when nothing changed). */
  changed: string[];
}

/**
 * A progress note for {@link PeerClient.addGoalProgress}: date, text, and optionally the author's NPI.
 *
 * See https://hl7.org/fhir/R4/goal-definitions.html#Goal.note.
 * @example
 * ```ts
 * const note: GoalProgressInput = { date: '2025-03-01', text: 'Viewed two apartments', authorNpi: '1245319599' };
 * ```
 * @category Peer operations
 */
export interface GoalProgressInput {
  date: string;
  text: string;
  authorNpi?: string | undefined;
}

/**
 * Result of {@link PeerClient.addGoalProgress}: the goal as a domain record and the new Goal version.
 *
 * See https://hl7.org/fhir/R4/goal.html.
 * @example
 * ```ts
 * const { goal, versionId } = await peer.addGoalProgress('g-1', note);
 * ```
 * @category Peer operations
 */
export interface GoalProgressResult {
  goal: RecoveryGoal;
  versionId: string;
}

/**
 * Options of {@link PeerClient.grantConsent}.
 *
 * See https://hl7.org/fhir/R4/consent.html.
 * @example
 * ```ts
 * await peer.grantConsent(consent, { participant });
 * ```
 * @category Peer operations
 */
export interface GrantConsentOptions extends RequestOptions {
  participant?: Participant | undefined;
}

/**
 * Options of {@link PeerClient.revokeConsent}: when it was revoked, and optionally the version last seen.
 *
 * See https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31.
 * @example
 * ```ts
 * await peer.revokeConsent('c-1', { at: '2025-06-01T09:00:00-04:00' });
 * ```
 * @category Peer operations
 */
export interface RevokeConsentOptions extends RequestOptions {
  /** Moment of revocation, a timestamp with offset (default now). */
  at?: string | undefined;
  /** The Consent version the caller last saw; default the version just read. */
  ifMatch?: string | undefined;
}

/**
 * A consent as stored: the domain record, its `Consent/id` and version.
 *
 * See https://hl7.org/fhir/R4/consent.html.
 * @example
 * ```ts
 * const { consent, reference, versionId }: StoredConsent = await peer.grantConsent(c);
 * ```
 * @category Peer operations
 */
export interface StoredConsent {
  consent: ConsentDirective;
  reference: string;
  versionId: string;
  /** `true` when this call created or changed it. */
  changed: boolean;
}

/**
 * Filters of {@link PeerClient.findEncounters}; all optional, combined with AND. `program` is filtered on the
 * client (R4 Encounter has no `service-type` search parameter).
 *
 * See https://hl7.org/fhir/R4/encounter.html#search.
 * @example
 * ```ts
 * const q: EncounterQuery = { participantId: 'p-1', from: '2025-01-01', to: '2025-03-31', program: 'substance-use' };
 * ```
 * @category Peer operations
 */
export interface EncounterQuery {
  /** Domain id of a participant (their encounters, including group sessions they attended). */
  participantId?: string | undefined;
  specialistNpi?: string | undefined;
  organizationNpi?: string | undefined;
  /** Start date (inclusive), `YYYY-MM-DD` or a timestamp. */
  from?: string | undefined;
  /** End date (inclusive), `YYYY-MM-DD` or a timestamp. */
  to?: string | undefined;
  program?: PeerEncounter['program'] | undefined;
}

/**
 * Options of {@link PeerClient.findEncounters}.
 *
 * See https://hl7.org/fhir/R4/http.html#paging.
 * @example
 * ```ts
 * for await (const e of peer.findEncounters({ participantId: 'p-1' }, { maxResources: 20, newestFirst: true })) show(e);
 * ```
 * @category Peer operations
 */
export interface FindEncountersOptions extends RequestOptions {
  /** Stop after this many encounters. */
  maxResources?: number | undefined;
  /** Server page size (`_count`, default 50). */
  pageSize?: number | undefined;
  /** Sort by date, newest first (`_sort=-date`); default oldest first. */
  newestFirst?: boolean | undefined;
}

/**
 * Options of {@link PeerClient.findEncounterParticipants}.
 *
 * @example
 * ```ts
 * const options: FindEncounterParticipantsOptions = { pageSize: 1000, startsIn: { from: '2025-03-01', to: '2025-03-31' } };
 * ```
 * @category Peer operations
 */
export interface FindEncounterParticipantsOptions extends RequestOptions {
  /** Server page size (`_count`, default 1000). */
  pageSize?: number | undefined;
  /**
   * Keep only encounters whose own start date (the date their timestamp names, `YYYY-MM-DD`) is in this range; one
   * without a start is kept. A server compares dates as UTC days, so a search a day wider plus this keeps a period by
   * the dates the encounters were recorded with.
   */
  startsIn?: { from: string; to: string } | undefined;
}

/**
 * One encounter of {@link PeerClient.readEncounterEntries}, with the reference it was read by (`Encounter/{id}`: an
 * individual encounter or a group session). `reference` is absent only for an encounter the read found besides the
 * ones asked for (another Encounter of the read that carries an encounter identifier of the agency).
 *
 * @example
 * ```ts
 * const entry: EncounterEntry = { reference: 'Encounter/123', encounter };
 * ```
 * @category Peer operations
 */
export interface EncounterEntry {
  reference?: string;
  encounter: PeerEncounter;
}

/**
 * Options of {@link PeerClient.getParticipantSummary}.
 *
 * See https://hl7.org/fhir/R4/patient.html.
 * @example
 * ```ts
 * await peer.getParticipantSummary('p-1', { recentLimit: 5, at: '2025-06-01' });
 * ```
 * @category Peer operations
 */
export interface ParticipantSummaryOptions extends RequestOptions {
  /** How many recent encounters to include (default 10). */
  recentLimit?: number | undefined;
  /** Moment at which consents must be active (default now). */
  at?: string | undefined;
}

/**
 * A participant at a glance: who, the current plan and its goals, recent encounters, consents in force.
 *
 * See https://hl7.org/fhir/R4/patient.html.
 * @example
 * ```ts
 * const { participant, plan, goals, recentEncounters, activeConsents } = await peer.getParticipantSummary('p-1');
 * ```
 * @category Peer operations
 */
export interface ParticipantSummary {
  participant: Participant;
  plan?: RecoveryPlan | undefined;
  goals: RecoveryGoal[];
  /** Newest first. */
  recentEncounters: PeerEncounter[];
  activeConsents: ConsentDirective[];
}

/**
 * Where {@link PeerClient.disclose} sends the disclosure Bundle: another client, or a base URL (+ auth).
 *
 * See https://hl7.org/fhir/R4/http.html#create.
 * @example
 * ```ts
 * const send: DisclosureTarget = { baseUrl: 'https://payer.example/fhir', auth: token };
 * ```
 * @category Peer operations
 */
export type DisclosureTarget = { client: PeerFhirClient } | { baseUrl: string; auth?: AuthOption | undefined };

/**
 * Options of {@link PeerClient.disclose}.
 *
 * See https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C.
 * @example
 * ```ts
 * await peer.disclose([claim], { recipient: { npi: '1234567893', isTpoRecipient: true }, purpose: 'payment', participantId: 'p-1' });
 * ```
 * @category Peer operations
 */
export interface DiscloseOptions extends RequestOptions {
  recipient: DisclosureRecipient;
  purpose: PurposeKey;
  /** Moment of disclosure, a timestamp with offset (default now). */
  at?: string | undefined;
  /**
   * Domain id of the participant the disclosure is about. Each resource is still decided against the consents of
   * its own patient (its `subject`/`patient`/`beneficiary`/`for` reference); a resource about anyone else is denied.
   */
  participantId?: string | undefined;
  /** Who discloses; default the disclosing organization of the first permitting consent. */
  discloser?: { npi?: string; identifier?: { system: string; value: string }; kind?: 'organization' | 'practitioner' } | undefined;
  /** Return what may be disclosed and the denied list instead of throwing `ConsentRequiredError`. */
  partial?: boolean | undefined;
  /** Which 42 CFR 2.32(a) statement to attach (default the short statement 2). */
  notice?: 'statement1' | 'statement2' | undefined;
  /** POST the collection Bundle to `[base]/Bundle` of this server. */
  send?: DisclosureTarget | undefined;
}

/**
 * Result of {@link PeerClient.disclose}: the collection Bundle (absent when nothing may be disclosed), what was
 * held back, the permitting consents, and the stored copy when sent.
 *
 * See https://hl7.org/fhir/R4/bundle.html.
 * @example
 * ```ts
 * const { bundle, denied } = await peer.disclose(resources, { recipient, purpose: 'payment', partial: true });
 * ```
 * @category Peer operations
 */
export interface DisclosureResult {
  bundle: Bundle | undefined;
  denied: DeniedResource[];
  consentIds: string[];
  /** The AuditEvent recording the disclosure on the source server (`AuditEvent/{id}`); absent when nothing was disclosed. */
  auditEvent?: string | undefined;
  /** The Bundle as the recipient stored it, when `send` was given. */
  sent?: Retrieved<Bundle> | undefined;
}

/**
 * What writing the roster (organizations, specialists, participants) of {@link PeerClient.recordEncounters} found:
 * resources created, unchanged, and conflicts — a stored resource under the same key with other content (another
 * person behind a participant id), by path, never by value. Nothing is written over a conflict.
 *
 * See https://hl7.org/fhir/R4/http.html#ccreate.
 * @example
 * ```ts
 * const { roster } = await peer.recordEncounters(encounters, { participants });
 * for (const c of roster.conflicts) console.warn(c.resourceType, c.location, c.paths.join(', '));
 * ```
 * @category Peer operations
 */
export interface RosterOutcome {
  /** Roster resources (entries) created. */
  created: number;
  /** Roster resources already stored with the same content. */
  unchanged: number;
  /** Roster resources stored with other content. */
  conflict: number;
  conflicts: RecordConflict[];
}

/**
 * Result of {@link PeerClient.recordEncounters}: one outcome per encounter (created / unchanged / conflict /
 * rejected) and the roster's outcome.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * const s: RecordEncountersSummary = await peer.recordEncounters(encounters);
 * console.log(s.created, s.unchanged, s.conflict, s.rejected, s.roster.conflict);
 * ```
 * @category Peer operations
 */
export interface RecordEncountersSummary extends RecordAllSummary {
  roster: RosterOutcome;
}

/**
 * Options of {@link PeerClient.accountingOfDisclosures}.
 *
 * See https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24.
 * @example
 * ```ts
 * const entries = await peer.accountingOfDisclosures('p-1', { since: '2026-01-01' });
 * ```
 * @category Peer operations
 */
export interface AccountingOptions extends RequestOptions {
  /** Only disclosures recorded on or after this date or timestamp. */
  since?: string | undefined;
}
