/**
 * `bill`'s write step: the claims of a billing result and its corrections become FHIR Claims, their Part 2
 * disclosures are recorded on the server, then the 837P, the Claims NDJSON and the stored Claims are written.
 */
import { pipeline } from 'node:stream/promises';
import type { AuditEvent, AuditEventEntity, Bundle, BundleEntry, Claim } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { PeerFhirValidationError, identifierSystems, toFhir, type IdentityScope, type Organization, type Participant, type PeerSpecialist } from '@peer-fhir/core';
import { billingRolesOf, buildClaimBundle, claimDisclosureAudits, type BillingContext, type BillingLine, type BillingResult, type RulePack } from '@peer-fhir/billing';
import { resolveX12ClaimInput, write837PStream, X12InputError, type X12ClaimInput } from '@peer-fhir/x12';
import type { CliConfig } from '../../config.js';
import { CliUsageError } from '../../errors.js';
import { createPrivateWriteStream, writePrivateFile } from '../../internal/io.js';

/** The records claims refer to: the agency (first), its staff and the period's participants. */
export interface ClaimRecords {
  organizations: Organization[];
  specialists: PeerSpecialist[];
  participants: Participant[];
}

/** Each participant's Patient on the server (`Patient/{id}`) by participant id, and the participant identifier system. */
export interface PatientReferences {
  system: string;
  byParticipant: Readonly<Record<string, string>>;
}

/** Everything the write step needs. */
export interface BillWrite {
  client: PeerFhirClient;
  config: CliConfig;
  scope: IdentityScope;
  pack: RulePack;
  date: Date;
  files: { x12: string; claims: string };
  result: BillingResult;
  corrections: { claims: Claim[]; inputs: X12ClaimInput[]; lines: BillingLine[] };
  context: BillingContext;
  records: ClaimRecords;
  patients: PatientReferences;
  supervisorTaxonomies: Readonly<Record<string, string>> | undefined;
}

/** Entries per transaction the write step sends: claims of a large month go in several (servers cap a Bundle's size). */
const PER_TRANSACTION = 100;

const chunked = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** The patient entity of an AuditEvent with the server's `Patient/{id}`, found in `patients` or by identifier. */
async function withPatientReference(client: PeerFhirClient, e: AuditEventEntity, patients: PatientReferences): Promise<AuditEventEntity> {
  // A claim bundle points to its Patient entry by `urn:uuid:` (only meaningful inside that bundle); the stored
  // AuditEvent needs the server's `Patient/{id}`, so both a missing and a bundle-local reference are resolved.
  const local = e.what?.reference === undefined || e.what.reference.startsWith('urn:');
  const id = e.what?.type === 'Patient' && local ? e.what.identifier : undefined;
  if (id?.system === undefined || id.value === undefined) return e;
  let reference = id.system === patients.system ? patients.byParticipant[id.value] : undefined;
  if (reference === undefined) {
    const found = await client.search('Patient', { identifier: `${id.system}|${id.value}` });
    reference = found.entry?.[0]?.resource?.id === undefined ? undefined : `Patient/${found.entry[0].resource.id}`;
  }
  if (reference === undefined) {
    const { reference: _bundleLocal, ...what } = e.what ?? {};
    return { ...e, what };
  }
  return { ...e, what: { ...e.what, reference } };
}

/**
 * Store the disclosure AuditEvents (42 CFR 2.24) on the server, each patient entity resolved to the server's
 * `Patient/{id}` so the accounting can find it, {@link PER_TRANSACTION} to a transaction. Any failure throws: then no
 * 837P is written.
 */
async function storeDisclosureAudits(client: PeerFhirClient, audits: readonly AuditEvent[], patients: PatientReferences): Promise<void> {
  for (const chunk of chunked(audits, PER_TRANSACTION)) {
    const resolved = await Promise.all(chunk.map(async (audit) => ({ ...audit, entity: await Promise.all((audit.entity ?? []).map((e) => withPatientReference(client, e, patients))) })));
    await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: resolved.map((resource) => ({ resource, request: { method: 'POST', url: 'AuditEvent' } })) });
  }
}

/** The entries `seeds` name by fullUrl among `entries`, and what those name in turn. */
function referencedEntries(seeds: readonly BundleEntry[], entries: ReadonlyMap<string, BundleEntry>): BundleEntry[] {
  const out = new Map<string, BundleEntry>();
  let frontier = seeds;
  while (frontier.length > 0) {
    const next: BundleEntry[] = [];
    for (const ref of new Set(frontier.flatMap((e) => JSON.stringify(e.resource).match(/"reference":"urn:uuid:[^"]+"/g) ?? []))) {
      const url = ref.slice('"reference":"'.length, -1);
      const entry = entries.get(url);
      if (entry && !out.has(url)) {
        out.set(url, entry);
        next.push(entry);
      }
    }
    frontier = next;
  }
  return [...out.values()];
}

/**
 * Claims plus the records they reference, as transactions of conditional creates ({@link PER_TRANSACTION} claims
 * each, with the records those claims name): billing again stores nothing new, so a run cut between two transactions
 * is completed by running it again.
 */
function claimTransactions(claims: readonly Claim[], records: Parameters<typeof toFhir>[0], scope: IdentityScope): Bundle[] {
  const mapped = toFhir(records, { agency: scope.agency, namespace: scope.namespace });
  const byUrl = new Map((mapped.entry ?? []).flatMap((e) => (e.fullUrl ? [[e.fullUrl, e] as const] : [])));
  const claimSystem = identifierSystems(scope).claim;
  const claimEntries: BundleEntry[] = claims.map((c) => {
    const id = c.identifier?.find((i) => i.system === claimSystem) ?? c.identifier?.[0];
    return {
      resource: c,
      request: { method: 'POST', url: 'Claim', ...(id ? { ifNoneExist: `identifier=${encodeURIComponent(id.system ?? '')}|${encodeURIComponent(id.value ?? '')}` } : {}) },
    };
  });
  return chunked(claimEntries, PER_TRANSACTION).map((entries) => ({ resourceType: 'Bundle', type: 'transaction', entry: [...referencedEntries(entries, byUrl), ...entries] }));
}

/** The original claims of the result as a FHIR Bundle (Claims and the records they name); a record that cannot be mapped is a usage error. */
function originalClaims(w: BillWrite): Bundle {
  if (w.result.lines.length === 0) return { resourceType: 'Bundle', type: 'collection', entry: [] };
  const claimIdsInUse = new Set((w.context.priorClaims ?? []).map((c) => c.claimId));
  try {
    return buildClaimBundle(w.result.lines, w.records, { pack: w.pack, created: w.date.toISOString().slice(0, 10), claimIdsInUse, ...(w.supervisorTaxonomies ? { supervisorTaxonomies: w.supervisorTaxonomies } : {}), ...(w.config.namespace ? { namespace: w.config.namespace } : {}) });
  } catch (err) {
    if (err instanceof PeerFhirValidationError) throw new CliUsageError('cannot build claims from the records on the server', err.issues.map((i) => `${i.path}: ${i.message}`));
    throw err;
  }
}

/** The 837P of the claim inputs, written to `file` (elements the writer refuses are a usage error naming their paths). */
async function write837P(w: BillWrite, inputs: readonly X12ClaimInput[]): Promise<void> {
  const { config, date } = w;
  const x12 = config.x12 ?? { senderId: config.organization.taxId, receiverId: config.payer.id.slice(0, 15), receiverName: config.payer.name, contactName: 'Billing Office', usage: 'T' as const };
  const control = Math.floor(date.getTime() / 1000) % 1_000_000_000;
  const phone = x12.contactPhone ?? config.organization.phone;
  try {
    await pipeline(
      write837PStream(inputs, {
        sender: { id: x12.senderId },
        receiver: { id: x12.receiverId, name: x12.receiverName },
        submitter: { name: config.organization.name, contact: { name: x12.contactName, ...(phone ? { phone } : {}) } },
        controlNumbers: { isa: control, gs: control, st: 1 },
        usage: x12.usage ?? 'T',
        date,
      }),
      createPrivateWriteStream(w.files.x12),
    );
  } catch (err) {
    if (err instanceof X12InputError) throw new CliUsageError('the claims cannot be written as an 837P', err.issues.map((i) => `${i.path}: ${i.message}`));
    throw err;
  }
}

/**
 * Write the run's claims: originals then corrections (replacements 7 and voids 8) in one 837P. Each claim carrying
 * Part 2 data is a disclosure to the payer, recorded on the server before the 837P exists (42 CFR 2.24); then the
 * Claims NDJSON, and the Claims stored on the server. Nothing to bill: an empty Claims file only.
 */
export async function writeClaims(w: BillWrite): Promise<{ claims: Claim[]; inputs: X12ClaimInput[]; disclosuresRecorded: number }> {
  if (w.result.lines.length === 0 && w.corrections.claims.length === 0) {
    await writePrivateFile(w.files.claims, '');
    return { claims: [], inputs: [], disclosuresRecorded: 0 };
  }
  const bundle = originalClaims(w);
  const originals = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
  // SBR09 is the pack's rule (MC Medicaid, MB Medicare Part B, ...), not a property of the FHIR Claim
  const claimFilingIndicator = billingRolesOf(w.pack).claimFilingIndicator;
  const claims = [...originals, ...w.corrections.claims];
  const inputs = [...originals.map((c) => resolveX12ClaimInput(c, bundle)), ...w.corrections.inputs].map((i) => ({ ...i, claimFilingIndicator }));
  const audits = claimDisclosureAudits(claims, [...w.result.lines, ...w.corrections.lines], w.context, { discloser: { npi: w.config.organization.npi, kind: 'organization' }, channel: 'x12-837p' });
  await storeDisclosureAudits(w.client, audits, w.patients);
  await write837P(w, inputs);
  await writePrivateFile(w.files.claims, claims.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const billed = new Set(w.result.lines.map((l) => l.participantId));
  const participants = w.records.participants.filter((p) => billed.has(p.id));
  for (const bundle of claimTransactions(claims, { ...w.records, participants }, w.scope)) await w.client.transaction(bundle);
  return { claims, inputs, disclosuresRecorded: audits.length };
}
