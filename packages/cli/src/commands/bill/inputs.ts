/**
 * `bill`'s billing inputs from the server: the agency's service orders, prior authorizations and the units it already
 * billed, for the participants of the period. Claim reading is shared: {@link loadParticipantClaims} returns every
 * stored Claim of those participants (any `use`), for any edit that needs earlier claims.
 */
import type { Claim, ServiceRequest } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { FhirMappingError, identifierSystems, type IdentityScope, type Participant } from '@peer-fhir/core';
import {
  billedUnitsFromClaims,
  priorAuthorizationFromFhir,
  serviceOrderFromFhir,
  type BilledUnits,
  type PriorAuthorization,
  type RulePack,
  type ServiceOrder,
} from '@peer-fhir/billing';
import { CliUsageError } from '../../errors.js';

/** What `bill` read besides the period's clinical records, with counts for the report. */
export interface BillingInputs {
  serviceOrders: ServiceOrder[];
  priorAuthorizations: PriorAuthorization[];
  history: BilledUnits[];
  /** Service orders or prior authorizations of the agency that could not be read (they authorize nothing). */
  unreadable: number;
}

/** The server ids of each participant's Patient (by the agency's participant identifier). */
async function patientIds(client: PeerFhirClient, scope: IdentityScope, participants: readonly Participant[]): Promise<string[]> {
  const system = identifierSystems(scope).participant;
  const ids: string[] = [];
  for (const p of participants) {
    for await (const r of client.searchAll('Patient', new URLSearchParams({ identifier: `${system}|${p.id}` }))) if (r.id) ids.push(r.id);
  }
  return ids;
}

/** Every Claim that names one of the Patients, by literal reference `Patient/{id}`. */
async function claimsOf(client: PeerFhirClient, ids: readonly string[]): Promise<Claim[]> {
  const out: Claim[] = [];
  for (const id of ids) for await (const c of client.searchAll('Claim', new URLSearchParams({ patient: `Patient/${id}`, _count: '500' }))) out.push(c);
  return out;
}

/** Every ServiceRequest about one of the Patients, by literal reference `Patient/{id}`. */
async function serviceRequestsOf(client: PeerFhirClient, ids: readonly string[]): Promise<ServiceRequest[]> {
  const out: ServiceRequest[] = [];
  for (const id of ids) for await (const r of client.searchAll('ServiceRequest', new URLSearchParams({ subject: `Patient/${id}`, _count: '500' }))) out.push(r);
  return out;
}

/**
 * Every stored Claim of the participants (original claims, prior authorizations, corrections), read by the Patient
 * each refers to. Shared by every `bill` input that needs earlier claims.
 */
export async function loadParticipantClaims(client: PeerFhirClient, scope: IdentityScope, participants: readonly Participant[]): Promise<Claim[]> {
  return claimsOf(client, await patientIds(client, scope, participants));
}

/** Read each resource with `read`; one that is the agency's but unreadable is counted, not used. */
function readEach<R, T>(resources: readonly R[], read: (r: R) => T | undefined): { records: T[]; unreadable: number } {
  const records: T[] = [];
  let unreadable = 0;
  for (const r of resources) {
    try {
      const rec = read(r);
      if (rec !== undefined) records.push(rec);
    } catch (err) {
      if (!(err instanceof FhirMappingError)) throw err;
      unreadable++;
    }
  }
  return { records, unreadable };
}

/** Billed units of the stored claims; an unreadable claim of the agency stops the run (a cap must never count short). */
function historyOf(claims: readonly Claim[], scope: IdentityScope, pack: RulePack, period: { from: string; to: string }): BilledUnits[] {
  try {
    return billedUnitsFromClaims(claims, { ...scope, pack, exclude: period });
  } catch (err) {
    if (err instanceof FhirMappingError) throw new CliUsageError('a stored claim of the agency cannot be read, so caps cannot be counted', err.issues.map((i) => `${err.recordType}.${i.path}: ${i.message}`));
    throw err;
  }
}

/**
 * The service orders, prior authorizations and billed units of the period's participants, read from the server.
 * Billed units leave out the period itself (the evaluation counts it).
 */
export async function loadBillingInputs(
  client: PeerFhirClient,
  q: { scope: IdentityScope; participants: readonly Participant[]; pack: RulePack; from: string; to: string },
): Promise<BillingInputs> {
  const ids = await patientIds(client, q.scope, q.participants);
  const orders = readEach(await serviceRequestsOf(client, ids), (sr) => serviceOrderFromFhir(sr, q.scope));
  const claims = await claimsOf(client, ids);
  const auths = readEach(claims, (c) => priorAuthorizationFromFhir(c, q.scope));
  return {
    serviceOrders: orders.records,
    priorAuthorizations: auths.records,
    history: historyOf(claims, q.scope, q.pack, { from: q.from, to: q.to }),
    unreadable: orders.unreadable + auths.unreadable,
  };
}
