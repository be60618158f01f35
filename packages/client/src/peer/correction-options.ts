import type { RequestOptions } from '../types.js';
import type { ReferencedRecords } from './options.js';

/**
 * Who corrects a record and why, for the Provenance every correction writes, plus the version it is based on.
 *
 * See https://hl7.org/fhir/R4/provenance.html and https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * const opts: CorrectionOptions = { reason: 'end time corrected from the sign-out sheet', by: '1245319599' };
 * ```
 * @category Peer operations
 */
export interface CorrectionOptions extends RequestOptions {
  /** Why the record changes; stored as `Provenance.reason.text` on the server (never echoed in errors). */
  reason: string;
  /** NPI of the practitioner who makes the correction, on behalf of the agency; omitted, the agency is the agent. */
  by?: string | undefined;
  /**
   * The Encounter `versionId` the correction is based on (what the caller read). A newer stored version is a
   * `conflict`, never overwritten. Default: the version read at the start of the call.
   */
  ifMatch?: string | undefined;
}

/**
 * Options of {@link PeerClient.amendEncounter}: the correction's agent and reason, and records the amended encounter
 * refers to that may not be on the server yet.
 *
 * See https://hl7.org/fhir/R4/http.html#update.
 * @example
 * ```ts
 * const opts: AmendEncounterOptions = { reason: 'diagnosis corrected', participants: [participant] };
 * ```
 * @category Peer operations
 */
export interface AmendEncounterOptions extends CorrectionOptions, ReferencedRecords {}

/**
 * What a correction did, counted: `updated` (new versions written; the server's `_history` keeps the old ones),
 * `unchanged` (the server already held exactly this), `created` (the encounter was not on the server: recorded now),
 * `conflict` (the stored encounter changed since `ifMatch`, or under the call: nothing written; `conflict.paths`
 * names where the stored encounter differs from the correction, never values) or `rejected` (the server refused it;
 * `reason` has the error class, HTTP status and issue codes only).
 *
 * See https://hl7.org/fhir/R4/http.html#concurrency.
 * @example
 * ```ts
 * const o: CorrectionOutcome = await peer.markEnteredInError('enc-1', { reason: 'recorded for the wrong participant' });
 * if (o.status === 'conflict') console.warn(o.conflict?.paths.join(', '));
 * ```
 * @category Peer operations
 */
export interface CorrectionOutcome {
  /** The corrected record's domain id (the encounter id; the participant id for `amendParticipant`). */
  encounterId: string;
  status: 'created' | 'unchanged' | 'updated' | 'conflict' | 'rejected';
  /** Resources created by the correction (a new diagnosis' Condition, a new note), not counting the Provenance. */
  created: number;
  /** Resources replaced with a new version (the Encounter, its Conditions, its note, a group's attendee Encounters). */
  updated: number;
  /** `Type/id` of every resource created or updated. */
  changed: string[];
  /** `Provenance/id` naming who corrected what and why, when something changed. */
  provenance?: string | undefined;
  /** For `conflict`: the stored Encounter and the element paths where it differs from the correction. */
  conflict?: { location: string; paths: string[] } | undefined;
  /** For `rejected`: error class, HTTP status and OperationOutcome issue codes. */
  reason?: string | undefined;
}
