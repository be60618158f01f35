import type { Basic } from 'fhir/r4.js';
import { PEER_FHIR_CANONICAL } from './systems.js';

/**
 * The vocabulary of a Bulk Data sync checkpoint: a `Basic` in the target server, one per source, holding the source's
 * `transactionTime` of the last complete sync (see `syncBulkData` in `@peer-fhir/client`). Its profile is published
 * with the others (`@peer-fhir/core/profiles`).
 *
 * @see https://hl7.org/fhir/R4/basic.html
 * @example
 * ```ts
 * const query = `identifier=${SyncCheckpoint.SourceSystem}|https://ehr.example/fhir`;
 * ```
 * @category Terminology
 */
export const SyncCheckpoint = {
  /** The checkpoint's profile (on Basic). */
  Profile: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-sync-checkpoint`,
  /** Identifier system whose value is the source server's base URL: one checkpoint per source. */
  SourceSystem: `${PEER_FHIR_CANONICAL}/sync-checkpoint-source`,
  /** Extension holding the source's `transactionTime` of the last complete sync (`valueInstant`). */
  TransactionTime: `${PEER_FHIR_CANONICAL}/StructureDefinition/sync-checkpoint-transaction-time`,
  /** Code system of `Basic.code` for peer-fhir's own records. */
  CodeSystem: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-fhir-record`,
  /** `Basic.code` of a checkpoint. */
  Code: 'sync-checkpoint',
} as const;

/**
 * The checkpoint resource of a sync from `sourceUrl` that completed the export of `transactionTime`, as the profile
 * {@link SyncCheckpoint}.Profile describes it (no id: the caller creates it or updates the stored one).
 *
 * @param sourceUrl - the base URL of the server synced from (one checkpoint per source)
 * @param transactionTime - the source's `transactionTime` of the last complete export
 * @returns the checkpoint `Basic`, naming its profile
 * @example
 * ```ts
 * const checkpoint = syncCheckpointResource('https://ehr.example/fhir', '2026-01-01T00:00:00Z');
 * checkpoint.extension?.[0]?.valueInstant; // '2026-01-01T00:00:00Z'
 * ```
 * @category FHIR mapping
 */
export function syncCheckpointResource(sourceUrl: string, transactionTime: string): Basic {
  return {
    resourceType: 'Basic',
    meta: { profile: [SyncCheckpoint.Profile] },
    identifier: [{ system: SyncCheckpoint.SourceSystem, value: sourceUrl }],
    code: { coding: [{ system: SyncCheckpoint.CodeSystem, code: SyncCheckpoint.Code }] },
    extension: [{ url: SyncCheckpoint.TransactionTime, valueInstant: transactionTime }],
  };
}
