/**
 * `bill`'s write step, chunk by chunk of participants: the claims of a billing result and its corrections become FHIR
 * Claims, their Part 2 disclosures are recorded on the server, then the 837P and the Claims NDJSON are written and,
 * once both are complete, the Claims stored.
 */
import { once } from 'node:events';
import { createReadStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { finished, pipeline } from 'node:stream/promises';
import type { AuditEvent, AuditEventEntity, Bundle, BundleEntry, Claim } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { PeerFhirValidationError, identifierSystems, toFhir, type IdentityScope, type Organization, type Participant, type PeerSpecialist } from '@peer-fhir/core';
import { billingRolesOf, buildClaimBundle, claimDisclosureAudits, type BillingContext, type BillingLine, type BillingResult, type RulePack } from '@peer-fhir/billing';
import { resolveX12ClaimInputs, write837PStream, X12InputError, type Write837PStreamOptions, type X12ClaimInput } from '@peer-fhir/x12';
import type { CliConfig } from '../../config.js';
import { CliUsageError } from '../../errors.js';
import { createPrivateWriteStream } from '../../internal/io.js';

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

/** What every chunk's write shares: the run's target, config, pack, date, files, staff and patients' system. */
export interface BillWrite {
  client: PeerFhirClient;
  config: CliConfig;
  scope: IdentityScope;
  pack: RulePack;
  date: Date;
  files: { x12: string; claims: string };
  supervisorTaxonomies: Readonly<Record<string, string>> | undefined;
}

/** One chunk of participants to write: its billing result, corrections, context, records and Patients. */
export interface ChunkWrite {
  result: BillingResult;
  corrections: { claims: Claim[]; inputs: X12ClaimInput[]; lines: BillingLine[] };
  context: BillingContext;
  records: ClaimRecords;
  patients: PatientReferences;
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
function originalClaims(w: BillWrite, c: ChunkWrite): Bundle {
  if (c.result.lines.length === 0) return { resourceType: 'Bundle', type: 'collection', entry: [] };
  // A claim number is derived from the claim's participant (among others): the participant's own prior claims are
  // the ones it could collide with.
  const claimIdsInUse = new Set((c.context.priorClaims ?? []).map((p) => p.claimId));
  try {
    return buildClaimBundle(c.result.lines, c.records, { pack: w.pack, created: w.date.toISOString().slice(0, 10), claimIdsInUse, ...(w.supervisorTaxonomies ? { supervisorTaxonomies: w.supervisorTaxonomies } : {}), ...(w.config.namespace ? { namespace: w.config.namespace } : {}) });
  } catch (err) {
    if (err instanceof PeerFhirValidationError) throw new CliUsageError('cannot build claims from the records on the server', err.issues.map((i) => `${i.path}: ${i.message}`));
    throw err;
  }
}

/** The 837P options of the run: envelope ids from the config, control numbers from the date. */
function x12Options(w: BillWrite): Write837PStreamOptions {
  const { config, date } = w;
  const x12 = config.x12 ?? { senderId: config.organization.taxId, receiverId: config.payer.id.slice(0, 15), receiverName: config.payer.name, contactName: 'Billing Office', usage: 'T' as const };
  const control = Math.floor(date.getTime() / 1000) % 1_000_000_000;
  const phone = x12.contactPhone ?? config.organization.phone;
  return {
    sender: { id: x12.senderId },
    receiver: { id: x12.receiverId, name: x12.receiverName },
    submitter: { name: config.organization.name, contact: { name: x12.contactName, ...(phone ? { phone } : {}) } },
    controlNumbers: { isa: control, gs: control, st: 1 },
    usage: x12.usage ?? 'T',
    date,
  };
}

/** `first` then the rest of `rest`. */
async function* startingWith<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/**
 * The 837P of `inputs`, streamed to `file` as they come; `false` (nothing written) when there are none. Elements the
 * writer refuses are a usage error naming their paths.
 */
export async function write837PFile(w: BillWrite, inputs: AsyncGenerator<X12ClaimInput>, file: string): Promise<boolean> {
  try {
    // The first input is awaited before the file is opened: a month with nothing to send writes no 837P.
    const first = await inputs.next();
    if (first.done) return false;
    await pipeline(write837PStream(startingWith(first.value, inputs), x12Options(w)), createPrivateWriteStream(file));
    return true;
  } catch (err) {
    if (err instanceof X12InputError) throw new CliUsageError('the claims cannot be written as an 837P', err.issues.map((i) => `${i.path}: ${i.message}`));
    throw err;
  }
}

/** A file written line by line with mode 0600, waiting for the stream to drain. */
class LineFile {
  readonly #out: WriteStream;
  constructor(readonly path: string) {
    this.#out = createPrivateWriteStream(path);
  }

  async write(line: string): Promise<void> {
    if (!this.#out.write(`${line}\n`)) await once(this.#out, 'drain');
  }

  async close(): Promise<void> {
    this.#out.end();
    await finished(this.#out);
  }
}

/**
 * `bill`'s writes, chunk by chunk, so that the biller holds one chunk of participants' claims, not the month's:
 * each chunk's Part 2 disclosures are stored on the server before its claims go into the 837P (which exists only once
 * it is complete: it is written under a temporary name), its Claims appended to the NDJSON file, and the transactions
 * that store them spooled to a private file; the Claims are stored on the server only after the 837P and the NDJSON
 * are complete ({@link ClaimWriter.finish}), so a run that fails part-way stores no claim it did not send.
 * Corrections (replacements 7 and voids 8) go after every original, as one evaluation of the month orders them.
 */
export class ClaimWriter {
  readonly #w: BillWrite;
  readonly #claims: LineFile;
  readonly #spool: LineFile;
  readonly #corrections: { claims: Claim[]; inputs: X12ClaimInput[] } = { claims: [], inputs: [] };
  /** Every claim and 837P input written, in order, when the caller keeps them (`runBill`'s result). */
  readonly kept: { claims: Claim[]; inputs: X12ClaimInput[] } | undefined;
  claims = 0;
  disclosuresRecorded = 0;

  constructor(w: BillWrite, temp: { claims: string; spool: string }, keep: boolean) {
    this.#w = w;
    this.#claims = new LineFile(temp.claims);
    this.#spool = new LineFile(temp.spool);
    this.kept = keep ? { claims: [], inputs: [] } : undefined;
  }

  /** One chunk: its disclosures stored, its original claims written (NDJSON, spool); their 837P inputs. */
  async chunk(c: ChunkWrite): Promise<X12ClaimInput[]> {
    const w = this.#w;
    if (c.result.lines.length === 0 && c.corrections.claims.length === 0) return [];
    const bundle = originalClaims(w, c);
    const originals = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
    const audits = claimDisclosureAudits([...originals, ...c.corrections.claims], [...c.result.lines, ...c.corrections.lines], c.context, { discloser: { npi: w.config.organization.npi, kind: 'organization' }, channel: 'x12-837p' });
    await storeDisclosureAudits(w.client, audits, c.patients);
    this.disclosuresRecorded += audits.length;
    this.#corrections.claims.push(...c.corrections.claims);
    this.#corrections.inputs.push(...c.corrections.inputs);
    const billed = new Set(c.result.lines.map((l) => l.participantId));
    await this.#written(originals, { ...c.records, participants: c.records.participants.filter((p) => billed.has(p.id)) });
    return this.#inputs(resolveX12ClaimInputs(originals, bundle));
  }

  /** The corrections of every chunk, after the originals; their 837P inputs. */
  async corrections(): Promise<X12ClaimInput[]> {
    const { claims, inputs } = this.#corrections;
    // A correction repeats a stored claim, whose references are the server's own: no records go with it.
    await this.#written(claims, { organizations: [], specialists: [], participants: [] });
    return this.#inputs(inputs);
  }

  /** SBR09 is the pack's rule (MC Medicaid, MB Medicare Part B, ...), not a property of the FHIR Claim. */
  #inputs(inputs: readonly X12ClaimInput[]): X12ClaimInput[] {
    const claimFilingIndicator = billingRolesOf(this.#w.pack).claimFilingIndicator;
    const out = inputs.map((i) => ({ ...i, claimFilingIndicator }));
    this.kept?.inputs.push(...out);
    return out;
  }

  /** Claims appended to the NDJSON file, and the transactions that store them (with the records they name) spooled. */
  async #written(claims: readonly Claim[], records: ClaimRecords): Promise<void> {
    this.claims += claims.length;
    this.kept?.claims.push(...claims);
    for (const c of claims) await this.#claims.write(JSON.stringify(c));
    for (const t of claimTransactions(claims, records, this.#w.scope)) await this.#spool.write(JSON.stringify(t));
  }

  /** Close the NDJSON and spool files (complete once this resolves). */
  async close(): Promise<void> {
    await this.#claims.close();
    await this.#spool.close();
  }

  /** Store the spooled Claims on the server, a transaction at a time (after the 837P and NDJSON are complete). */
  async store(): Promise<void> {
    const lines = createInterface({ input: createReadStream(this.#spool.path), crlfDelay: Infinity });
    for await (const line of lines) if (line) await this.#w.client.transaction(JSON.parse(line) as Bundle);
  }
}
