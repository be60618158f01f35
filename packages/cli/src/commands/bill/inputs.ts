/**
 * `bill`'s billing inputs from the server: the agency's service orders, prior authorizations, the units it already
 * billed and the period's claims sent before, for the participants of the period, read by their Patients' references
 * (a few searches per 50 participants), one chunk at a time: a chunk's stored Claims are reduced to billed units,
 * authorizations and the period's prior claims before the next chunk is read, so the biller never holds the agency's
 * claims of the year.
 */
import type { Claim, ServiceRequest } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { FhirMappingError, type IdentityScope } from '@peer-fhir/core';
import {
  billedUnitsFromClaims,
  type PriorClaim,
  priorAuthorizationFromFhir,
  serviceOrderFromFhir,
  type BilledUnits,
  type PriorAuthorization,
  type RulePack,
  type ServiceOrder,
} from '@peer-fhir/billing';
import { CliUsageError } from '../../errors.js';
import { periodPriorClaims } from './corrections.js';

/** What `bill` read besides the period's clinical records, with counts for the report. */
export interface BillingInputs {
  serviceOrders: ServiceOrder[];
  priorAuthorizations: PriorAuthorization[];
  history: BilledUnits[];
  /** The period's claims sent before (of the period's participants), with the payer's answers. */
  priorClaims: PriorClaim[];
  /** Service orders or prior authorizations of the agency that could not be read (they authorize nothing). */
  unreadable: number;
}

/** References per search: a comma-separated list (FHIR R4 search 3.1.1.5.13, "OR") short enough for any server's URL. */
const PER_SEARCH = 50;

/** Everything `search` finds for one chunk of references (`Patient/{id}`, comma-separated). */
async function referringTo<T>(refs: readonly string[], search: (list: string) => AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of search(refs.join(','))) out.push(r);
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

type InputsQuery = { scope: IdentityScope; patients: readonly string[]; pack: RulePack; from: string; to: string };

/** The billing inputs of one chunk of participants' Patients (at most {@link PER_SEARCH}); its Claims are dropped after. */
async function chunkInputs(client: PeerFhirClient, q: InputsQuery, patients: readonly string[]): Promise<BillingInputs> {
  const orders = readEach(await referringTo(patients, (subject) => client.searchAll('ServiceRequest', new URLSearchParams({ subject, _count: '500' }))), (sr) => serviceOrderFromFhir(sr, q.scope));
  // Every stored Claim of the participants (original claims, prior authorizations, corrections): a replacement or
  // void names a claim of the same participant, so a chunk of participants is read and reduced on its own.
  const claims = await referringTo(patients, (patient) => client.searchAll('Claim', new URLSearchParams({ patient, _count: '500' })));
  const auths = readEach(claims, (c) => priorAuthorizationFromFhir(c, q.scope));
  return {
    serviceOrders: orders.records,
    priorAuthorizations: auths.records,
    history: historyOf(claims, q.scope, q.pack, { from: q.from, to: q.to }),
    priorClaims: await periodPriorClaims(client, q.scope, claims, { from: q.from, to: q.to }),
    unreadable: orders.unreadable + auths.unreadable,
  };
}

/**
 * The service orders, prior authorizations, billed units and the period's prior claims of the period's participants
 * (their Patients, `Patient/{id}`), read from the server {@link PER_SEARCH} participants at a time.
 * Billed units leave out the period itself (the evaluation counts it).
 */
export async function loadBillingInputs(client: PeerFhirClient, q: InputsQuery): Promise<BillingInputs> {
  const all: BillingInputs = { serviceOrders: [], priorAuthorizations: [], history: [], priorClaims: [], unreadable: 0 };
  for (let i = 0; i < q.patients.length; i += PER_SEARCH) {
    const chunk = await chunkInputs(client, q, q.patients.slice(i, i + PER_SEARCH));
    all.serviceOrders.push(...chunk.serviceOrders);
    all.priorAuthorizations.push(...chunk.priorAuthorizations);
    all.history.push(...chunk.history);
    all.priorClaims.push(...chunk.priorClaims);
    all.unreadable += chunk.unreadable;
  }
  return all;
}
