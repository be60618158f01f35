import type { Patient } from 'fhir/r4.js';
import type { BillingContext, EligibilityCheck } from '@peer-fhir/billing';
import type { PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems, type IdentityScope } from '@peer-fhir/core';
import { eligibilityFromResponse } from '@peer-fhir/x12';

/**
 * The eligibility answers stored on the server (CoverageEligibilityResponses written by `peer-fhir eligibility --read`),
 * as billing's `EligibilityCheck`s keyed by source-system participant id of the agency `scope` names — what `PB-ELIGIBILITY` reads. `bill` passes
 * them as `context.eligibility`.
 */
export async function loadEligibilityChecks(client: PeerFhirClient, scope: IdentityScope): Promise<EligibilityCheck[]> {
  const system = identifierSystems(scope).participant;
  const participantOf = new Map<string, string | undefined>();
  const out: EligibilityCheck[] = [];
  for await (const r of client.searchAll('CoverageEligibilityResponse', new URLSearchParams({ _count: '500' }))) {
    const ref = r.patient.reference ?? '';
    if (!participantOf.has(ref) && ref.startsWith('Patient/')) {
      const p: Patient = await client.read('Patient', ref.slice('Patient/'.length));
      participantOf.set(ref, p.identifier?.find((i) => i.system === system)?.value);
    }
    const participantId = participantOf.get(ref);
    if (!participantId) continue;
    const e = eligibilityFromResponse(r);
    out.push({
      participantId,
      checkedOn: e.checkedOn,
      status: e.status,
      reason: e.reason.slice(0, 500),
      ...(e.period ? { period: e.period } : {}),
      ...(e.otherPayer ? { otherPayer: e.otherPayer } : {}),
    });
  }
  return out;
}

/**
 * The eligibility part of `bill`'s billing context: the stored answers once the server holds any (then `PB-ELIGIBILITY`
 * holds what a 271 said and `PB-ELIGIBILITY-STALE` warns about members without a fresh answer); nothing when no
 * eligibility answer was ever read, so an agency that does not check eligibility bills as before.
 */
export async function eligibilityContext(client: PeerFhirClient, scope: IdentityScope): Promise<Pick<BillingContext, 'eligibility'>> {
  const checks = await loadEligibilityChecks(client, scope);
  return checks.length > 0 ? { eligibility: checks } : {};
}
