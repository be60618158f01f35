import type { BundleEntry, ClaimResponse } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { claimStatusToClaimResponses, type ClaimStatus, type ClaimStatusReport } from '@peer-fhir/x12';
import { storedClaims } from './stored-claims.js';

/** What storing a 277's answers did: one ClaimResponse per claim status, in the 277's order. */
export interface StoredClaimStatus {
  /** Every claim of every report, in order; `responses[i]` answers `claims[i]`. */
  claims: ClaimStatus[];
  responses: ClaimResponse[];
  /** ClaimResponses newly created (reading the same 277 again creates none). */
  stored: number;
  /** Claim statuses that match no stored Claim. */
  unmatched: number;
}

/** Conditional creates by the response's 277 identifier, so a 277 read twice stores nothing new. */
function entryOf(resource: ClaimResponse): BundleEntry {
  const id = resource.identifier?.[0];
  const ifNoneExist = id?.system && id.value ? { ifNoneExist: `identifier=${encodeURIComponent(id.system)}|${encodeURIComponent(id.value)}` } : {};
  return { resource, request: { method: 'POST', url: 'ClaimResponse', ...ifNoneExist } };
}

/**
 * Store the claim statuses of 277s (277CA for `ack`, 277 claim status responses for `status --read`) as ClaimResponses
 * against the agency's stored Claims (by patient control number), in transactions of 100.
 */
export async function storeClaimStatus(client: PeerFhirClient, claimSystem: string, reports: readonly ClaimStatusReport[]): Promise<StoredClaimStatus> {
  const claims = reports.flatMap((r) => r.claims);
  const stored = await storedClaims(client, claimSystem, claims.map((c) => c.patientControlNumber));
  const responses = reports.flatMap((r) => claimStatusToClaimResponses(r, stored));
  const entries = responses.map(entryOf);
  let created = 0;
  for (let i = 0; i < entries.length; i += 100) {
    const res = await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: entries.slice(i, i + 100) });
    created += (res.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
  }
  return { claims, responses, stored: created, unmatched: responses.filter((r) => !r.request).length };
}
