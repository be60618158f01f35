/**
 * `bill`'s billing inputs from the server: the agency's service orders, prior authorizations and the units it already
 * billed, for the participants of the period, read by their Patients' references (a few searches per 50 participants).
 */
import type { Claim, ServiceRequest } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { FhirMappingError, type IdentityScope } from '@peer-fhir/core';
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

/** References per search: a comma-separated list (FHIR R4 search 3.1.1.5.13, "OR") short enough for any server's URL. */
const PER_SEARCH = 50;

/** Everything `search` finds for `refs` (`Patient/{id}`), one search per {@link PER_SEARCH} references, comma-separated. */
async function referringTo<T>(refs: readonly string[], search: (list: string) => AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < refs.length; i += PER_SEARCH) for await (const r of search(refs.slice(i, i + PER_SEARCH).join(','))) out.push(r);
  return out;
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
 * The service orders, prior authorizations and billed units of the period's participants (their Patients,
 * `Patient/{id}`), read from the server.
 * Billed units leave out the period itself (the evaluation counts it).
 */
export async function loadBillingInputs(
  client: PeerFhirClient,
  q: { scope: IdentityScope; patients: readonly string[]; pack: RulePack; from: string; to: string },
): Promise<BillingInputs> {
  const orders = readEach(await referringTo(q.patients, (subject) => client.searchAll('ServiceRequest', new URLSearchParams({ subject, _count: '500' }))), (sr) => serviceOrderFromFhir(sr, q.scope));
  // Every stored Claim of the participants (original claims, prior authorizations, corrections).
  const claims = await referringTo(q.patients, (patient) => client.searchAll('Claim', new URLSearchParams({ patient, _count: '500' })));
  const auths = readEach(claims, (c) => priorAuthorizationFromFhir(c, q.scope));
  return {
    serviceOrders: orders.records,
    priorAuthorizations: auths.records,
    history: historyOf(claims, q.scope, q.pack, { from: q.from, to: q.to }),
    unreadable: orders.unreadable + auths.unreadable,
  };
}
