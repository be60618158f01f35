import { SyncCheckpoint, syncCheckpointResource } from '@peer-fhir/core';
import type { Basic, Bundle, BundleEntry, FhirResource, OperationOutcome, Resource } from 'fhir/r4.js';
import type { BulkExportDeletion, BulkExportLevel } from './bulk-export.js';
import type { PeerFhirClient } from './client.js';
import type { RequestOptions, ResourceType } from './types.js';


/**
 * Options of {@link syncBulkData}.
 * @example
 * ```ts
 * const opts: BulkSyncOptions = { since: 'auto', types: ['Patient', 'Encounter'], batchSize: 200 };
 * ```
 * @category Bulk Data
 */
export interface BulkSyncOptions extends RequestOptions {
  /**
   * `auto` (default): export changes since the checkpoint stored in the target for this source (everything on the
   * first run); an instant: since then; `all`: everything, whatever the checkpoint.
   */
  since?: 'auto' | 'all' | string | undefined;
  types?: readonly string[] | undefined;
  level?: BulkExportLevel | undefined;
  /** Resources written per batch request (default 100). */
  batchSize?: number | undefined;
  /** Called after each batch. */
  onProgress?: ((progress: BulkSyncCounts) => void) | undefined;
}

/**
 * Counts of a sync: every resource read, and every deletion the source reported, ends `created`, `unchanged`,
 * `updated`, `deleted` (removed from the target because the source deleted it), `conflict` (the target's copy changed
 * under us: If-Match failed, nothing overwritten) or `rejected` (the target refused it). A deletion of a resource the
 * target does not hold is `unchanged`.
 * @example
 * ```ts
 * const c: BulkSyncCounts = { read: 10, created: 0, unchanged: 8, updated: 1, deleted: 1, conflict: 0, rejected: 0 };
 * ```
 * @category Bulk Data
 */
export interface BulkSyncCounts {
  /** Resources and deletions read from the export. */
  read: number;
  created: number;
  unchanged: number;
  updated: number;
  deleted: number;
  conflict: number;
  rejected: number;
}

/**
 * A resource that did not land: its type, position in the export (1-based), outcome and a value-free reason (HTTP
 * status and issue codes).
 * @example
 * ```ts
 * const p: BulkSyncProblem = { resourceType: 'Encounter', position: 3, status: 'rejected', reason: 'HTTP 400 (invalid)' };
 * ```
 * @category Bulk Data
 */
export interface BulkSyncProblem {
  resourceType: string;
  position: number;
  status: 'conflict' | 'rejected';
  reason: string;
}

/**
 * Result of {@link syncBulkData}.
 * @example
 * ```ts
 * const s: BulkSyncSummary = await syncBulkData(source, target);
 * if (!s.checkpointSaved) console.error(s.problems);
 * ```
 * @category Bulk Data
 */
export interface BulkSyncSummary extends BulkSyncCounts {
  /** The `_since` used (undefined: a full export). */
  since: string | undefined;
  /** The export's transactionTime: the next sync's `since`. */
  transactionTime: string;
  /** Whether the checkpoint moved to `transactionTime`: only when every resource was created, unchanged or updated. */
  checkpointSaved: boolean;
  problems: BulkSyncProblem[];
}

type Outcome = 'created' | 'unchanged' | 'updated' | 'deleted' | 'conflict' | 'rejected';

/** The checkpoint of `sourceUrl` stored in the target, if any. */
async function findCheckpoint(target: PeerFhirClient, sourceUrl: string, opts: RequestOptions): Promise<Basic | undefined> {
  const found = await target.search('Basic', { identifier: `${SyncCheckpoint.SourceSystem}|${sourceUrl}` }, opts);
  return found.entry?.[0]?.resource as Basic | undefined;
}

/**
 * The source's `transactionTime` of the last complete sync into `target`, from its checkpoint resource.
 * @param target - the server the sync writes to
 * @param sourceUrl - the base URL of the server synced from
 * @param opts - per-request options
 * @returns the instant the last clean sync started, or undefined when there was none
 * @example
 * ```ts
 * const since = await readSyncCheckpoint(target, 'https://ehr.example/fhir'); // undefined before the first sync
 * ```
 * @category Bulk Data
 */
export async function readSyncCheckpoint(target: PeerFhirClient, sourceUrl: string, opts: RequestOptions = {}): Promise<string | undefined> {
  const checkpoint = await findCheckpoint(target, sourceUrl, opts);
  return checkpoint?.extension?.find((e) => e.url === SyncCheckpoint.TransactionTime)?.valueInstant;
}

async function saveCheckpoint(target: PeerFhirClient, sourceUrl: string, transactionTime: string, opts: RequestOptions): Promise<void> {
  const stored = await findCheckpoint(target, sourceUrl, opts);
  // Profile peer-sync-checkpoint (core's vocabulary and StructureDefinition).
  const checkpoint = syncCheckpointResource(sourceUrl, transactionTime);
  // If-Match on the stored version: two syncs of one source finishing at once cannot both move the checkpoint.
  if (stored?.id) await target.update({ ...checkpoint, id: stored.id, meta: { ...stored.meta, profile: checkpoint.meta?.profile } }, opts);
  else await target.create(checkpoint, { ...opts, ifNoneExist: { identifier: `${SyncCheckpoint.SourceSystem}|${sourceUrl}` } });
}

function isCheckpoint(resource: FhirResource): boolean {
  return resource.resourceType === 'Basic' && (resource.identifier ?? []).some((i) => i.system === SyncCheckpoint.SourceSystem);
}

/** JSON with sorted keys and without the server-assigned meta: what "the same content" means across two servers. */
function contentOf(resource: FhirResource): string {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, source: _s, ...keptMeta } = meta ?? {};
  return stableJson(Object.keys(keptMeta).length ? { ...rest, meta: keptMeta } : rest);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutServerMeta(resource: FhirResource): FhirResource {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...keptMeta } = meta ?? {};
  return (Object.keys(keptMeta).length ? { ...rest, meta: keptMeta } : rest) as FhirResource;
}

/** Ids per `_id` search: 50 UUIDs keep the URL near 2 KB (servers refuse request lines over 8-16 KB with 414/431). */
const IDS_PER_SEARCH = 50;

async function storedCopies(target: PeerFhirClient, type: string, ids: string[], opts: RequestOptions): Promise<Map<string, FhirResource>> {
  const stored = new Map<string, FhirResource>();
  for (let i = 0; i < ids.length; i += IDS_PER_SEARCH) {
    const chunk = ids.slice(i, i + IDS_PER_SEARCH);
    const params = new URLSearchParams({ _id: chunk.join(','), _count: String(chunk.length) });
    for await (const r of target.searchAll(type as ResourceType, params, opts)) if (r.id) stored.set(r.id, r);
  }
  return stored;
}

/** A PUT of the source's resource under its own id: a create when absent, an If-Match update when it differs. */
function putEntry(resource: FhirResource, stored: FhirResource | undefined): BundleEntry {
  const request: NonNullable<BundleEntry['request']> = { method: 'PUT', url: `${resource.resourceType}/${resource.id ?? ''}` };
  if (stored?.meta?.versionId) request.ifMatch = `W/"${stored.meta.versionId}"`;
  return { resource: withoutServerMeta(resource), request };
}

function entryOutcome(status: number, wasStored: boolean): Outcome {
  if (status === 412 || status === 409) return 'conflict';
  if (status >= 400) return 'rejected';
  // Decided by what the target held just before, not by 200/201: servers differ on the status of an upsert that creates.
  return wasStored ? 'updated' : 'created';
}

interface Pending {
  resource: FhirResource;
  position: number;
}

/** One batch of resources of one type: compare with the target's copies, then one batch request for those that differ. */
async function syncBatch(target: PeerFhirClient, batch: Pending[], summary: BulkSyncSummary, opts: RequestOptions): Promise<void> {
  const [first] = batch;
  if (first === undefined) return;
  const type = first.resource.resourceType;
  const stored = await storedCopies(target, type, batch.map((p) => p.resource.id ?? ''), opts);
  const changed = batch.filter((p) => {
    const copy = stored.get(p.resource.id ?? '');
    const same = copy !== undefined && contentOf(copy) === contentOf(p.resource);
    if (same) summary.unchanged++;
    return !same;
  });
  if (changed.length === 0) return;
  const bundle: Bundle = { resourceType: 'Bundle', type: 'batch', entry: changed.map((p) => putEntry(p.resource, stored.get(p.resource.id ?? ''))) };
  const response = await target.batch(bundle, opts);
  changed.forEach((p, i) => {
    const entry = response.entry?.[i]?.response;
    const status = Number.parseInt(entry?.status ?? '500', 10);
    const outcome = entryOutcome(status, stored.has(p.resource.id ?? ''));
    summary[outcome]++;
    if (outcome === 'conflict' || outcome === 'rejected') summary.problems.push({ resourceType: type, position: p.position, status: outcome, reason: reasonOf(status, entry?.outcome) });
  });
}

function reasonOf(status: number, outcome: Resource | undefined): string {
  const codes = outcome?.resourceType === 'OperationOutcome' ? (outcome as OperationOutcome).issue.map((i) => i.code).slice(0, 3) : [];
  return `HTTP ${status}${codes.length ? ` (${codes.join(', ')})` : ''}`;
}

function sinceFor(option: BulkSyncOptions['since'], checkpoint: () => Promise<string | undefined>): Promise<string | undefined> {
  if (option === 'all') return Promise.resolve(undefined);
  if (option === undefined || option === 'auto') return checkpoint();
  return Promise.resolve(option);
}

/**
 * Incremental sync of one FHIR server into another with Bulk Data: export from `source` with `_since` = the checkpoint
 * stored in `target` for this source, write each resource under its own id (a PUT: created when absent, updated with
 * If-Match when its content differs, left alone when the same), delete in the target what the source reports deleted
 * since then (the manifest's `deleted` files), then move the checkpoint to the export's `transactionTime` — only when
 * nothing ended in conflict or rejected. A sync that dies half way leaves the checkpoint
 * where it was: the rerun exports the same changes again, finds those already written `unchanged`, and never
 * duplicates (ids are the source's). The export job is deleted at the end, also on failure.
 *
 * See https://hl7.org/fhir/uv/bulkdata/STU2/export.html#query-parameters (`_since`).
 * @param source - the server to export from (Bulk Data $export)
 * @param target - the server to write to
 * @param options - level, types, since, and per-request options
 * @returns every resource's outcome, counted
 * @example
 * ```ts
 * const ehr = new PeerFhirClient({ baseUrl: 'https://ehr.example/fhir', auth: ehrToken });
 * const program = new PeerFhirClient({ baseUrl: 'http://127.0.0.1:8080/fhir' });
 * const summary = await syncBulkData(ehr, program, { since: 'auto' });
 * console.log(summary.created, summary.updated, summary.unchanged, summary.checkpointSaved);
 * ```
 * @category Bulk Data
 */
export async function syncBulkData(source: PeerFhirClient, target: PeerFhirClient, options: BulkSyncOptions = {}): Promise<BulkSyncSummary> {
  const opts: RequestOptions = { signal: options.signal, timeoutMs: options.timeoutMs, maxRetries: options.maxRetries };
  const since = await sinceFor(options.since, () => readSyncCheckpoint(target, source.baseUrl, opts));
  const job = await source.bulkExport({ ...opts, level: options.level, types: options.types, since });
  const summary: BulkSyncSummary = { since, transactionTime: job.manifest.transactionTime, checkpointSaved: false, problems: [], read: 0, created: 0, unchanged: 0, updated: 0, deleted: 0, conflict: 0, rejected: 0 };
  try {
    await writeAll(job.resources(undefined, opts), target, summary, options, opts);
    await deleteAll(job.deletions(opts), target, summary, options, opts);
  } finally {
    await job.delete({ maxRetries: 0 }).catch(() => undefined);
  }
  if (summary.conflict === 0 && summary.rejected === 0) {
    await saveCheckpoint(target, source.baseUrl, summary.transactionTime, opts);
    summary.checkpointSaved = true;
  }
  return summary;
}

function countsOf(s: BulkSyncCounts): BulkSyncCounts {
  return { read: s.read, created: s.created, unchanged: s.unchanged, updated: s.updated, deleted: s.deleted, conflict: s.conflict, rejected: s.rejected };
}

function deleteOutcome(status: number): Outcome {
  if (status === 412 || status === 409) return 'conflict';
  // Gone between the lookup and the DELETE: the target holds what the source holds.
  if (status === 404 || status === 410) return 'unchanged';
  return status >= 400 ? 'rejected' : 'deleted';
}

/** One batch of deletions of one type: those the target holds are deleted (one batch request), the rest are unchanged. */
async function deleteBatch(target: PeerFhirClient, batch: { deletion: BulkExportDeletion; position: number }[], summary: BulkSyncSummary, opts: RequestOptions): Promise<void> {
  const [first] = batch;
  if (first === undefined) return;
  const type = first.deletion.resourceType;
  const stored = await storedCopies(target, type, batch.map((p) => p.deletion.id), opts);
  const present = batch.filter((p) => stored.has(p.deletion.id));
  summary.unchanged += batch.length - present.length;
  if (present.length === 0) return;
  const bundle: Bundle = { resourceType: 'Bundle', type: 'batch', entry: present.map((p) => ({ request: { method: 'DELETE', url: `${type}/${p.deletion.id}` } })) };
  const response = await target.batch(bundle, opts);
  present.forEach((p, i) => {
    const entry = response.entry?.[i]?.response;
    const status = Number.parseInt(entry?.status ?? '500', 10);
    const outcome = deleteOutcome(status);
    summary[outcome]++;
    if (outcome === 'conflict' || outcome === 'rejected') summary.problems.push({ resourceType: type, position: p.position, status: outcome, reason: reasonOf(status, entry?.outcome) });
  });
}

/**
 * Apply the source's deletions (the manifest's `deleted` files) to the target, after the writes: a resource deleted in
 * the source since the checkpoint is deleted in the target. A source that reports no deletions leaves the target's
 * copies in place (docs/bulk-data.md).
 */
async function deleteAll(deletions: AsyncIterable<BulkExportDeletion>, target: PeerFhirClient, summary: BulkSyncSummary, options: BulkSyncOptions, opts: RequestOptions): Promise<void> {
  const size = options.batchSize ?? 100;
  let batch: { deletion: BulkExportDeletion; position: number }[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length) await deleteBatch(target, batch, summary, opts);
    batch = [];
    options.onProgress?.(countsOf(summary));
  };
  for await (const deletion of deletions) {
    summary.read++;
    if (batch.length && (batch.length >= size || batch[0]!.deletion.resourceType !== deletion.resourceType)) await flush();
    batch.push({ deletion, position: summary.read });
  }
  await flush();
}

async function writeAll(resources: AsyncIterable<FhirResource>, target: PeerFhirClient, summary: BulkSyncSummary, options: BulkSyncOptions, opts: RequestOptions): Promise<void> {
  const size = options.batchSize ?? 100;
  let batch: Pending[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length) await syncBatch(target, batch, summary, opts);
    batch = [];
    options.onProgress?.(countsOf(summary));
  };
  for await (const resource of resources) {
    // Another target's checkpoint on the source is about that sync, not data: copying it would give this target two.
    if (isCheckpoint(resource)) continue;
    summary.read++;
    if (!resource.id) {
      summary.rejected++;
      summary.problems.push({ resourceType: resource.resourceType, position: summary.read, status: 'rejected', reason: 'no id' });
      continue;
    }
    if (batch.length && (batch.length >= size || batch[0]!.resource.resourceType !== resource.resourceType)) await flush();
    batch.push({ resource, position: summary.read });
  }
  await flush();
}
