import type { FhirResource } from 'fhir/r4.js';
import { identifierSystems, recordKeys, type ConsentDirective, type DisclosureAccountingEntry, type Participant, type PeerEncounter, type RecoveryPlan } from '@peer-fhir/core';
import type { PeerFhirClient } from '../client.js';
import type { RequestOptions } from '../types.js';
import { KeyLookup, ResourceCache } from '../internal/peer-lookup.js';
import type { PeerContext } from './context.js';
import { getConsents, grantConsent, revokeConsent } from './consents.js';
import type { AmendEncounterOptions, CorrectionOptions, CorrectionOutcome } from './correction-options.js';
import { amendEncounter, amendParticipant, setEncounterStatus } from './corrections.js';
import { accountingOfDisclosures, disclose } from './disclose.js';
import { findEncounterParticipants, findEncounters, readEncounterEntries, readEncounters } from './find-encounters.js';
import type {
  AccountingOptions,
  DiscloseOptions,
  DisclosureResult,
  EncounterEntry,
  EncounterQuery,
  FindEncountersOptions,
  GoalProgressInput,
  FindEncounterParticipantsOptions,
  GoalProgressResult,
  GrantConsentOptions,
  ParticipantSummary,
  ParticipantSummaryOptions,
  PeerClientOptions,
  RecordedEncounter,
  RecordEncounterOptions,
  RecordEncountersOptions,
  RecordEncountersSummary,
  RevokeConsentOptions,
  StoredConsent,
  UpsertRecoveryPlanOptions,
  UpsertRecoveryPlanResult,
} from './options.js';
import { getParticipantSummary } from './participant-summary.js';
import { getParticipantRecords, type ParticipantRecords, type ParticipantRecordsOptions } from './participant-records.js';
import { recordEncounter, recordEncounters } from './record-encounters.js';
import { addGoalProgress, upsertRecoveryPlan } from './recovery-plans.js';

/**
 * High-level peer-support operations over a {@link PeerFhirClient}: record encounters, keep recovery plans and
 * consents, read records back as domain objects, and disclose under 42 CFR Part 2. Mapping is core's
 * `toFhir`/`fromFhir`; every write is idempotent (conditional create) or optimistic (`If-Match`). Records are named
 * by their domain ids (participant id, plan id, goal id, consent id), never by server ids. Identifier lookups are
 * cached per instance: use one `PeerClient` per job, not one forever.
 *
 * See https://hl7.org/fhir/R4/http.html.
 * @example
 * ```ts
 * const peer = new PeerClient(new PeerFhirClient({ baseUrl }), { agency: '1234567893', namespace: 'https://ehr.example.org/ids' });
 * await peer.recordEncounter(encounter, { participants: [participant], specialist, organization });
 * ```
 * @category Peer operations
 */
export class PeerClient {
  readonly #ctx: PeerContext;

  constructor(client: PeerFhirClient, options: PeerClientOptions) {
    const scope = { agency: options.agency, namespace: options.namespace };
    this.#ctx = {
      client,
      scope,
      keys: recordKeys(scope),
      ids: identifierSystems(scope),
      lookup: new KeyLookup(client),
      cache: new ResourceCache(client),
    };
  }

  /** The wrapped low-level client. */
  get client(): PeerFhirClient {
    return this.#ctx.client;
  }

  /**
   * Records one encounter (individual, or a group session with its attendees) in one transaction of conditional
   * creates. Participants, the specialist and the agency already on the server are found by identifier; pass the
   * ones that may not be. Recording the same encounter again creates nothing. Invalid input throws core's
   * `PeerFhirValidationError` (paths, no values) before anything is sent.
   *
   * See https://hl7.org/fhir/R4/http.html#transaction and https://hl7.org/fhir/R4/encounter.html.
   * @example
   * ```ts
   * const { encounterIds, created } = await peer.recordEncounter(enc, { participants: [p], specialist: peerSpecialist });
   * ```
   * @category Peer operations
   */
  recordEncounter(encounter: PeerEncounter, options: RecordEncounterOptions = {}): Promise<RecordedEncounter> {
    return recordEncounter(this.#ctx, encounter, options);
  }

  /**
   * Records many encounters with `recordAll`: the agencies, specialists and participants given are written first
   * (once), resources several encounters share (a peer group's Group) next, then one record per encounter that
   * refers to them by id. The encounters are mapped while the server stores the roster; no encounter is sent until
   * every one is valid (an invalid one throws `PeerFhirValidationError` with its position; the roster stays written,
   * and a roster the server refused is the error thrown).
   *
   * See https://hl7.org/fhir/R4/http.html#transaction.
   * @example
   * ```ts
   * const summary = await peer.recordEncounters(agency.encounters, {
   *   organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants,
   *   bundleSize: 100, concurrency: 4, onProgress: (p) => console.log(p.done, '/', p.total),
   * });
   * ```
   * @category Peer operations
   */
  recordEncounters(encounters: readonly PeerEncounter[], options: RecordEncountersOptions = {}): Promise<RecordEncountersSummary> {
    return recordEncounters(this.#ctx, encounters, options);
  }

  /**
   * Corrects a recorded encounter: reads the stored version, maps the corrected record and replaces what differs
   * (the Encounter, its diagnoses' Conditions, its note, a group's attendee Encounters) with `PUT` + `If-Match` in one
   * transaction, together with a Provenance naming the agent (`by`, or the agency) and the `reason`. Diagnoses the
   * correction drops are marked entered-in-error. The server's `_history` keeps every earlier version. A stored
   * version newer than `ifMatch` (or one written under the call) is a `conflict` with the differing paths, never
   * overwritten. An encounter not on the server yet is recorded (`created`).
   *
   * See https://hl7.org/fhir/R4/http.html#concurrency and https://hl7.org/fhir/R4/provenance.html.
   * @example
   * ```ts
   * const outcome = await peer.amendEncounter({ ...enc, end: '2025-01-14T11:05:00-05:00' }, { reason: 'end time corrected' });
   * console.log(outcome.status, outcome.updated); // 'updated', 1
   * ```
   * @category Peer operations
   */
  amendEncounter(encounter: PeerEncounter, options: AmendEncounterOptions): Promise<CorrectionOutcome> {
    return amendEncounter(this.#ctx, encounter, options);
  }

  /**
   * Corrects a participant's demographics or Medicaid coverage: the stored Patient and Coverages that differ are
   * replaced with `PUT` + `If-Match` (the version read, or `ifMatch`) in one transaction with a Provenance naming the
   * agent and reason; the server's `_history` keeps the old versions. `encounterId` in the outcome is the participant id.
   *
   * See https://hl7.org/fhir/R4/http.html#concurrency and https://hl7.org/fhir/R4/patient.html.
   * @example
   * ```ts
   * const o = await peer.amendParticipant({ ...participant, name: { family: 'Rivera', given: ['Ana'] } }, { reason: 'name corrected' });
   * ```
   * @category Peer operations
   */
  amendParticipant(participant: Participant, options: CorrectionOptions): Promise<CorrectionOutcome> {
    return amendParticipant(this.#ctx, participant, options);
  }

  /**
   * Marks a recorded encounter entered-in-error (it never happened as recorded): the Encounter, a group's attendee
   * Encounters, the diagnoses (verificationStatus `entered-in-error`) and the note (status `entered-in-error`), in one
   * transaction with a Provenance (activity NULLIFY). Billing holds such an encounter and voids a claim already sent.
   *
   * See https://hl7.org/fhir/R4/valueset-encounter-status.html.
   * @example
   * ```ts
   * const { status, updated } = await peer.markEnteredInError('enc-1', { reason: 'recorded for the wrong participant' });
   * ```
   * @category Peer operations
   */
  markEnteredInError(encounterId: string, options: CorrectionOptions): Promise<CorrectionOutcome> {
    return setEncounterStatus(this.#ctx, encounterId, 'entered-in-error', options);
  }

  /**
   * Cancels a recorded encounter (it did not take place): the Encounter and a group's attendee Encounters get status
   * `cancelled`, in one transaction with a Provenance (activity ABORT). Diagnoses and the note stay as recorded.
   *
   * See https://hl7.org/fhir/R4/valueset-encounter-status.html.
   * @example
   * ```ts
   * await peer.cancelEncounter('enc-1', { reason: 'participant did not attend', by: '1245319599' });
   * ```
   * @category Peer operations
   */
  cancelEncounter(encounterId: string, options: CorrectionOptions): Promise<CorrectionOutcome> {
    return setEncounterStatus(this.#ctx, encounterId, 'cancelled', options);
  }

  /**
   * Creates a recovery plan (CarePlan, Goals, CareTeam, signature Provenance) or brings the stored one up to date:
   * changed CarePlan/Goals/CareTeam are replaced with `If-Match` in one atomic transaction, new goals and new
   * signatures are added, unchanged resources are left alone. A concurrent change (or a stale `ifMatch`) fails
   * with `FhirPreconditionFailedError` (412) and changes nothing. The plan record is the source of truth: goal
   * notes it lacks are removed. A review is a new plan version (its own id) naming the same goals: its Goals are
   * updated to its content, so write a plan history oldest first to leave each Goal as the latest version states it,
   * as core's `toFhir` does in one call (docs/mapping.md, "Plan versions").
   *
   * See https://hl7.org/fhir/R4/http.html#concurrency and https://hl7.org/fhir/R4/careplan.html.
   * @example
   * ```ts
   * const { versionId } = await peer.upsertRecoveryPlan(plan);
   * await peer.upsertRecoveryPlan(changedPlan, { ifMatch: versionId });
   * ```
   * @category Peer operations
   */
  upsertRecoveryPlan(plan: RecoveryPlan, options: UpsertRecoveryPlanOptions = {}): Promise<UpsertRecoveryPlanResult> {
    return upsertRecoveryPlan(this.#ctx, plan, options);
  }

  /**
   * Appends a progress note to a goal (found by its goal id) and replaces the Goal with `If-Match` on the version
   * read, so a concurrent change fails with 412 instead of being lost.
   *
   * See https://hl7.org/fhir/R4/goal.html and https://hl7.org/fhir/R4/http.html#concurrency.
   * @example
   * ```ts
   * await peer.addGoalProgress('g-1', { date: '2025-03-01', text: 'Signed the lease', authorNpi: '1245319599' });
   * ```
   * @category Peer operations
   */
  addGoalProgress(goalId: string, note: GoalProgressInput, options: RequestOptions = {}): Promise<GoalProgressResult> {
    return addGoalProgress(this.#ctx, goalId, note, options);
  }

  /**
   * Stores a consent directive if no consent with its id exists (idempotent); returns it as stored.
   *
   * See https://hl7.org/fhir/R4/consent.html.
   * @example
   * ```ts
   * const { reference } = await peer.grantConsent(consent, { participant });
   * ```
   * @category Peer operations
   */
  grantConsent(consent: ConsentDirective, options: GrantConsentOptions = {}): Promise<StoredConsent> {
    return grantConsent(this.#ctx, consent, options);
  }

  /**
   * Revokes a consent: status `inactive` plus the revocation moment, replaced with `If-Match`. Revoking again keeps
   * the first moment.
   *
   * See https://hl7.org/fhir/R4/consent.html and https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31.
   * @example
   * ```ts
   * await peer.revokeConsent('c-1', { at: '2025-06-01T09:00:00-04:00' });
   * ```
   * @category Peer operations
   */
  revokeConsent(consentId: string, options: RevokeConsentOptions = {}): Promise<StoredConsent> {
    return revokeConsent(this.#ctx, consentId, options);
  }

  /**
   * Every consent directive of a participant, read back with core's `fromFhir`.
   *
   * See https://hl7.org/fhir/R4/consent.html#search.
   * @example
   * ```ts
   * const consents = await peer.getConsents('p-1');
   * ```
   * @category Peer operations
   */
  getConsents(participantId: string, options: RequestOptions = {}): Promise<ConsentDirective[]> {
    return getConsents(this.#ctx, participantId, options);
  }

  /**
   * Finds encounters and reads them back as domain `PeerEncounter`s, page by page (the Patients, roles, agencies,
   * Conditions and notes they refer to are fetched by id and cached; no `_include` needed). A group session is
   * returned once, with all attendees, even when matched through one attendee.
   *
   * See https://hl7.org/fhir/R4/encounter.html#search and https://hl7.org/fhir/R4/http.html#paging.
   * @example
   * ```ts
   * for await (const e of peer.findEncounters({ participantId: 'p-1', from: '2025-01-01', to: '2025-03-31' })) console.log(e.id);
   * ```
   * @category Peer operations
   */
  findEncounters(query: EncounterQuery = {}, options: FindEncountersOptions = {}): AsyncGenerator<PeerEncounter, void, undefined> {
    return findEncounters(this.#ctx, query, options);
  }

  /**
   * The participants of the encounters a query finds (domain ids, sorted), each with the encounters it attends
   * (`Encounter/{id}`: individual encounters and group sessions), without reading the encounters back: what a large
   * period is read by, in bounded chunks of participants ({@link PeerClient.readEncounters}). `query.program` is not
   * applied.
   *
   * See https://hl7.org/fhir/R4/encounter.html#search.
   * @example
   * ```ts
   * const byParticipant = await peer.findEncounterParticipants({ organizationNpi: '1234567893', from: '2025-03-01', to: '2025-03-31' });
   * const first = [...byParticipant.values()].slice(0, 50).flat();
   * for (const e of await peer.readEncounters(first)) console.log(e.id);
   * ```
   * @category Peer operations
   */
  findEncounterParticipants(query: EncounterQuery = {}, options: FindEncounterParticipantsOptions = {}): Promise<Map<string, string[]>> {
    return findEncounterParticipants(this.#ctx, query, options);
  }

  /**
   * Encounters by reference (`Encounter/{id}`, as {@link PeerClient.findEncounterParticipants} gives them) read back
   * as domain `PeerEncounter`s, as `findEncounters` reads them: a group session once, with every attendee.
   *
   * See https://hl7.org/fhir/R4/encounter.html.
   * @example
   * ```ts
   * const [encounter] = await peer.readEncounters(['Encounter/123']);
   * ```
   * @category Peer operations
   */
  readEncounters(references: readonly string[], options: RequestOptions = {}): Promise<PeerEncounter[]> {
    return readEncounters(this.#ctx, references, options);
  }

  /**
   * {@link PeerClient.readEncounters} with the reference each encounter was read by, in the same order: what a caller
   * that reads a period in chunks keys a group session by, to read it once for every chunk its attendees fall in.
   *
   * See https://hl7.org/fhir/R4/encounter.html.
   * @example
   * ```ts
   * for (const { reference, encounter } of await peer.readEncounterEntries(['Encounter/123'])) console.log(reference, encounter.id);
   * ```
   * @category Peer operations
   */
  readEncounterEntries(references: readonly string[], options: RequestOptions = {}): Promise<EncounterEntry[]> {
    return readEncounterEntries(this.#ctx, references, options);
  }

  /**
   * A participant at a glance: the participant (with Medicaid coverages), the current recovery plan and its goals,
   * the most recent encounters and the consents active now (or at `at`).
   *
   * See https://hl7.org/fhir/R4/patient.html.
   * @example
   * ```ts
   * const { plan, recentEncounters, activeConsents } = await peer.getParticipantSummary('p-1', { recentLimit: 5 });
   * ```
   * @category Peer operations
   */
  getParticipantSummary(participantId: string, options: ParticipantSummaryOptions = {}): Promise<ParticipantSummary> {
    return getParticipantSummary(this.#ctx, participantId, options);
  }

  /**
   * The participants (with Medicaid coverages), current recovery plans and consents of many participants at once —
   * what `getParticipantSummary` and `getConsents` give for each — read with a few searches per chunk of
   * participants (comma-separated references) instead of several per participant. For billing runs and reports.
   * A participant not on the server throws {@link PeerRecordNotFoundError}.
   *
   * See https://hl7.org/fhir/R4/search.html#combining.
   * @param participantIds - the participants' ids (duplicates read once)
   * @param options - participants per chunk (`chunkSize`, default 50) and request options
   * @returns participants in the order asked for, their current plans and consents, and each one's `Patient/{id}`
   * @example
   * ```ts
   * const { participants, plans, consents } = await peer.getParticipantRecords(['p-1', 'p-2'], { chunkSize: 50 });
   * ```
   * @category Peer operations
   */
  getParticipantRecords(participantIds: readonly string[], options: ParticipantRecordsOptions = {}): Promise<ParticipantRecords> {
    return getParticipantRecords(this.#ctx, participantIds, options);
  }

  /**
   * Consent-gated disclosure: loads the participant's consents from the server, decides per resource with core's
   * `filterDisclosable`, and builds the `collection` Bundle with core's `buildDisclosureBundle` (Part 2 labels, the
   * 42 CFR 2.32 notice and copies of the permitting consents). Throws core's `ConsentRequiredError` naming the
   * missing consent if any resource may not be disclosed, unless `partial` is set. With `send`, POSTs the Bundle
   * to the recipient's `[base]/Bundle`; otherwise returns it for the caller to deliver.
   *
   * See https://hl7.org/fhir/R4/bundle.html and https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.32.
   * @example
   * ```ts
   * const { bundle } = await peer.disclose([encounter], { recipient: { npi: '1234567893', isTpoRecipient: true }, purpose: 'payment', participantId: 'p-1' });
   * ```
   * @category Peer operations
   */
  disclose(resources: readonly FhirResource[], options: DiscloseOptions): Promise<DisclosureResult> {
    return disclose(this.#ctx, resources, options);
  }

  /**
   * The accounting of disclosures of a participant's records (42 CFR 2.24, 45 CFR 164.528): every disclosure
   * AuditEvent on the server that names the participant's Patient, oldest first — recipient, purpose, consents
   * relied on, resources by reference. Written by {@link PeerClient.disclose} and by the CLI's `bill`.
   *
   * See https://hl7.org/fhir/R4/auditevent.html and https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24.
   * @example
   * ```ts
   * for (const d of await peer.accountingOfDisclosures('p-1', { since: '2026-01-01' })) console.log(d.at, d.recipient, d.purpose);
   * ```
   * @category Peer operations
   */
  accountingOfDisclosures(participantId: string, options: AccountingOptions = {}): Promise<DisclosureAccountingEntry[]> {
    return accountingOfDisclosures(this.#ctx, participantId, options);
  }
}
