import type { Bundle, BundleEntry, Resource } from 'fhir/r4.js';
import { FhirAbortError, FhirConnectionError, FhirError, isFhirError } from './errors.js';
import { typeIdOf } from './internal/peer-lookup.js';
import { withReferences, type UrnCheck } from './internal/peer-mapping.js';
import { isAllConditionalBundle, isRetryableStatus } from './internal/retry.js';
import type { RequestOptions } from './types.js';

/**
 * One record for {@link PeerFhirClient.recordAll}: Bundle entries that must land together
 * (e.g. an Encounter with its Conditions). Every POST entry needs `request.ifNoneExist`;
 * `urn:uuid:` references must point inside the record.
 *
 * See https://hl7.org/fhir/R4/http.html#trules.
 * @example
 * ```ts
 * const record: RecordEntries = [{ fullUrl: 'urn:uuid:…', resource: enc, request: { method: 'POST', url: 'Encounter', ifNoneExist: 'identifier=urn:x|1' } }];
 * ```
 * @category Bundles
 */
export type RecordEntries = readonly BundleEntry[];

/**
 * Progress reported by {@link PeerFhirClient.recordAll} after each settled record group: every record ends
 * `created`, `unchanged`, `conflict` or `rejected`.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * const onProgress = (p: RecordAllProgress) => console.log(`${p.done}/${p.total}, ${p.conflict} conflicts, ${p.rejected} rejected`);
 * ```
 * @category Bundles
 */
export interface RecordAllProgress {
  done: number;
  total: number;
  /** Records that landed (at least one entry answered 201). */
  created: number;
  /** Records already on the server exactly as they would be written. */
  unchanged: number;
  /** Records whose key was already taken by a resource with other content: nothing was written over it. */
  conflict: number;
  /** Records the server refused or that could not be sent. */
  rejected: number;
  /** @deprecated `unchanged + conflict` (the server already held the key); read those instead. */
  existing: number;
  /** @deprecated the same as `rejected`. */
  failed: number;
}

/**
 * Options for {@link PeerFhirClient.recordAll}.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * await client.recordAll(records, { bundleSize: 200, concurrency: 2, maxRetries: 6 });
 * ```
 * @category Bundles
 */
export interface RecordAllOptions extends RequestOptions {
  /** Target entries per transaction; a record is never split (default 100). */
  bundleSize?: number | undefined;
  /**
   * Most records per transaction (default: no limit, `bundleSize` alone decides). With both set a transaction closes
   * at whichever is reached first: `PeerClient.recordEncounters` packs 100 encounters per transaction this way, within
   * an entry cap.
   */
  recordsPerBundle?: number | undefined;
  /** Transactions in flight at once (default 4). */
  concurrency?: number | undefined;
  /** Called after every settled group of records. */
  onProgress?: ((progress: RecordAllProgress) => void) | undefined;
  /**
   * Read back the resources a conditional create found already there and compare them with what would have been
   * written, to tell `unchanged` from `conflict` (default true). Off, such records count as `unchanged` unchecked.
   */
  checkExisting?: boolean | undefined;
}

/**
 * An entry whose conditional create found a stored resource with other content: where (entry position, type) and
 * which element paths differ (`period.end`, `name[0].family`), never the values.
 *
 * See https://hl7.org/fhir/R4/http.html#ccreate.
 * @example
 * ```ts
 * const c: RecordConflict = { entry: 0, resourceType: 'Encounter', paths: ['period.end'] };
 * ```
 * @category Bundles
 */
export interface RecordConflict {
  /** Position of the entry in the record. */
  entry: number;
  resourceType: string;
  /** `Type/id` of the stored resource. */
  location: string;
  /** Element paths whose content differs; values are never included. */
  paths: string[];
}

/**
 * What happened to one record: `created` (landed; on a first run every entry answers 201), `unchanged` (every
 * entry already existed with the same content: 200), `conflict` (an entry's key was taken by a resource with other
 * content — another patient behind the same key, a changed encounter — nothing was overwritten; `conflicts` names
 * the paths), `rejected` (with a PHI-free reason).
 *
 * See https://hl7.org/fhir/R4/http.html#ccreate.
 * @example
 * ```ts
 * summary.records.filter((r: RecordOutcome) => r.status === 'rejected').forEach((r) => console.log(r.index, r.reason));
 * ```
 * @category Bundles
 */
export interface RecordOutcome {
  /** Position of the record in the input. */
  index: number;
  status: 'created' | 'unchanged' | 'conflict' | 'rejected';
  /** For `conflict`: the entries that differ from what is stored, by path. */
  conflicts?: RecordConflict[] | undefined;
  /** HTTP status per entry, from the transaction-response (empty when the record failed as a whole). */
  entryStatuses: number[];
  /** `Type/id` per entry, when the server reported a location. */
  locations: (string | undefined)[];
  /** Why it failed: error class, HTTP status and OperationOutcome issue codes only. */
  reason?: string | undefined;
  /**
   * For `rejected`: the record got no answer, only failures a retry may get past (the connection failed or timed out,
   * or the server answered 408, 429 or 5xx), on every attempt. The server may or may not have stored it; writing it
   * again is safe (every entry is a conditional create) and may succeed.
   */
  transient?: true | undefined;
}

/**
 * Result of {@link PeerFhirClient.recordAll}.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * const { created, existing, failed } = await client.recordAll(records);
 * ```
 * @category Bundles
 */
export interface RecordAllSummary extends RecordAllProgress {
  records: RecordOutcome[];
}

/** Sends one transaction (`PeerFhirClient.transaction`). */
type RunTransaction = (bundle: Bundle, opts: RequestOptions) => PromiseLike<Bundle>;
/** Reads stored resources by `Type/id` (any order; missing ones left out). */
export type ReadStored = (references: readonly string[], opts: RequestOptions) => Promise<Resource[]>;

interface Indexed {
  index: number;
  entries: RecordEntries;
}

/**
 * Not `async` on purpose: the records are validated and packed here, and only the groups are carried into the
 * asynchronous part ({@link writeGroups}), which drops each group once sent. An async function would keep its
 * `records` parameter, and with it every mapped entry of a bulk write, alive until the last transaction answered.
 * `references` (`urn:uuid:` -> `Type/id`) are rewritten in the entries as they are checked: records that name
 * resources written before by their urn (`PeerClient.recordEncounters`' roster and shared entries).
 */
export function recordAll(run: RunTransaction, records: readonly RecordEntries[], opts: RecordAllOptions, read?: ReadStored, references: ReadonlyMap<string, string> = new Map()): Promise<RecordAllSummary> {
  try {
    return writeGroups(run, prepare(records, opts, references), opts, opts.checkExisting === false ? undefined : read);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

interface Prepared {
  outcomes: RecordOutcome[];
  progress: RecordAllProgress;
  groups: (Indexed[] | undefined)[];
}

function prepare(records: readonly RecordEntries[], opts: RecordAllOptions, references: ReadonlyMap<string, string>): Prepared {
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  const progress: RecordAllProgress = { done: 0, total: records.length, created: 0, unchanged: 0, conflict: 0, rejected: 0, existing: 0, failed: 0 };
  const valid: Indexed[] = [];
  records.forEach((given, index) => {
    const checked = checkRecord(given, references);
    if (typeof checked === 'string') settle(outcomes, progress, { index, status: 'rejected', entryStatuses: [], locations: [], reason: checked });
    else valid.push({ index, entries: checked });
  });
  if (progress.done > 0) opts.onProgress?.({ ...progress });
  return { outcomes, progress, groups: pack(valid, { entries: opts.bundleSize ?? 100, records: opts.recordsPerBundle ?? Number.POSITIVE_INFINITY }) };
}

function settle(outcomes: RecordOutcome[], progress: RecordAllProgress, o: RecordOutcome): void {
  outcomes[o.index] = o;
  progress.done++;
  progress[o.status]++;
  if (o.status === 'unchanged' || o.status === 'conflict') progress.existing++;
  if (o.status === 'rejected') progress.failed++;
}

async function writeGroups(run: RunTransaction, prepared: Prepared, opts: RecordAllOptions, read: ReadStored | undefined): Promise<RecordAllSummary> {
  const { concurrency = 4, onProgress, maxRetries = 5, bundleSize: _bundleSize, recordsPerBundle: _records, checkExisting: _check, ...request } = opts;
  const { outcomes, progress, groups } = prepared;
  const settled = (o: RecordOutcome): void => settle(outcomes, progress, o);
  // Only each entry's status and location are read back, so the server is asked not to echo every resource
  // (https://hl7.org/fhir/R4/http.html#ops): on a bulk write that halves what crosses the wire and what is parsed.
  // A caller's own `Prefer` header wins; servers that ignore it answer as before.
  const reqOpts: RequestOptions = { ...request, maxRetries, headers: { prefer: 'return=minimal', ...request.headers } };

  const runGroup = async (group: Indexed[]): Promise<void> => {
    try {
      const response = await run(toBundle(group), reqOpts);
      const mapped = mapResponse(group, response);
      if (read) await findConflicts(group, mapped, read, { ...request, maxRetries });
      for (const o of mapped) settled(o);
    } catch (e) {
      if (e instanceof FhirAbortError || request.signal?.aborted) throw e;
      if (group.length > 1 && isRecordSpecific(e)) {
        // Bisect so the good records still land and the bad one(s) are named.
        const mid = Math.ceil(group.length / 2);
        await runGroup(group.slice(0, mid));
        await runGroup(group.slice(mid));
        return;
      }
      const transient = isTransient(e) ? { transient: true as const } : {};
      for (const r of group) settled({ index: r.index, status: 'rejected', entryStatuses: [], locations: [], reason: reasonOf(e), ...transient });
    }
    onProgress?.({ ...progress });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      // Dropped from the list once taken: a sent group's entries become garbage as soon as its answer is mapped.
      const group = groups[next];
      groups[next++] = undefined;
      if (group) await runGroup(group);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, groups.length)) }, worker));
  return { ...progress, records: outcomes };
}

/**
 * The record as it will be sent, `references` rewritten (copy-on-write: the caller's entries are not changed), or why
 * it cannot be sent. One walk of each entry rewrites and finds a `urn:uuid:` reference in a resource that is neither
 * rewritten nor the fullUrl of an entry of the record (it would dangle, https://hl7.org/fhir/R4/bundle.html#references).
 */
function checkRecord(entries: RecordEntries, references: ReadonlyMap<string, string>): RecordEntries | string {
  if (entries.length === 0) return 'record has no entries';
  if (!isAllConditionalBundle({ resourceType: 'Bundle', type: 'transaction', entry: [...entries] })) return 'record has an entry that is not conditional (POST without ifNoneExist, or PATCH)';
  const check: UrnCheck = { local: new Set(entries.map((e) => e.fullUrl).filter((u): u is string => u?.startsWith('urn:uuid:') === true)), foreign: false };
  const sent = entries.map((entry) => sentEntry(entry, references, check));
  return check.foreign ? 'record references a urn:uuid entry outside itself' : sent;
}

/** `entry` with `references` rewritten anywhere in it (copy-on-write); only its resource is checked for dangling urns. */
function sentEntry(entry: BundleEntry, references: ReadonlyMap<string, string>, check: UrnCheck): BundleEntry {
  if (references.size === 0) {
    withReferences(entry.resource, references, check);
    return entry;
  }
  const fields = entry as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const k in fields) {
    const v = fields[k];
    const after = withReferences(v, references, k === 'resource' ? check : undefined);
    if (after !== v) (copy ??= { ...fields })[k] = after;
  }
  return copy === undefined ? entry : (copy as BundleEntry);
}

/** The most a transaction may hold: entries (a record larger than that still goes alone) and records. */
export interface PackLimits {
  entries: number;
  records: number;
}

/**
 * Greedy, in input order: a group closes when the next record would pass either limit. A record is never split, so a
 * record with more entries than `limits.entries` travels alone.
 * @internal
 */
export function pack<T extends { entries: RecordEntries }>(records: readonly T[], limits: PackLimits): T[][] {
  const maxEntries = Math.max(1, limits.entries);
  const maxRecords = Math.max(1, limits.records);
  const groups: T[][] = [];
  let current: T[] = [];
  let count = 0;
  for (const r of records) {
    if (current.length > 0 && (count + r.entries.length > maxEntries || current.length >= maxRecords)) {
      groups.push(current);
      current = [];
      count = 0;
    }
    current.push(r);
    count += r.entries.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function toBundle(group: Indexed[]): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry: group.flatMap((r) => [...r.entries]) };
}

function mapResponse(group: Indexed[], response: Bundle): RecordOutcome[] {
  const answers = response.entry ?? [];
  const expected = group.reduce((n, r) => n + r.entries.length, 0);
  if (answers.length !== expected) {
    return group.map((r) => ({ index: r.index, status: 'rejected', entryStatuses: [], locations: [], reason: 'transaction-response entry count does not match the request' }));
  }
  let offset = 0;
  return group.map((r) => {
    const mine = answers.slice(offset, offset + r.entries.length);
    offset += r.entries.length;
    const statuses = mine.map((a) => Number.parseInt(a.response?.status ?? '', 10));
    const locations = mine.map((a) => a.response?.location);
    if (statuses.some((s) => !(s >= 200 && s < 300) && s !== 304)) {
      const bad = statuses.find((s) => !(s >= 200 && s < 300));
      return { index: r.index, status: 'rejected', entryStatuses: statuses, locations, reason: `entry answered HTTP ${Number.isNaN(bad) ? 'unknown' : bad}` };
    }
    const status = statuses.every((s) => s !== 201) ? 'unchanged' : 'created';
    return { index: r.index, status, entryStatuses: statuses, locations };
  });
}

// 4xx other than auth/throttling point at a record's content: worth bisecting.
function isRecordSpecific(e: unknown): boolean {
  return isFhirError(e) && e.status !== undefined && e.status >= 400 && e.status < 500 && ![401, 408, 429].includes(e.status);
}

/** A failure a later attempt may get past: no answer (connection, timeout) or 408/429/5xx. */
function isTransient(e: unknown): boolean {
  return e instanceof FhirConnectionError || (isFhirError(e) && e.status !== undefined && isRetryableStatus(e.status));
}

/** Why a write failed: error class, HTTP status and OperationOutcome issue codes only. @internal */
export function reasonOf(e: unknown): string {
  if (!(e instanceof FhirError)) return e instanceof Error ? e.name : 'unknown error';
  const issues = (e.operationOutcome?.issue ?? []).map((i) => (i.expression?.length ? `${i.code} at ${i.expression.join(', ')}` : i.code));
  const head = e.status === undefined ? e.name : `${e.name} (HTTP ${e.status})`;
  return issues.length > 0 ? `${head}: ${issues.join('; ')}` : head;
}

/**
 * Entries whose conditional create found a resource already there (HTTP 200) are read back and compared with what
 * was sent: a different stored content is a conflict, never a silent "already present". References sent as
 * `urn:uuid:` are not compared (the server resolved them); `id`, `meta` and `text` are the server's.
 */
async function findConflicts(group: readonly Indexed[], outcomes: RecordOutcome[], read: ReadStored, opts: RequestOptions): Promise<void> {
  const wanted: { outcome: RecordOutcome; entry: number; sent: Resource; location: string; fresh: ReadonlySet<string> }[] = [];
  group.forEach((r, i) => {
    const o = outcomes[i];
    if (!o || o.status === 'rejected') return;
    // Entries this transaction created: a stored resource cannot already point at them.
    const fresh = new Set(r.entries.flatMap((e, j) => (o.entryStatuses[j] === 201 && e.fullUrl ? [e.fullUrl] : [])));
    r.entries.forEach((e, j) => {
      const location = typeIdOf(o.locations[j]);
      if (o.entryStatuses[j] === 200 && e.resource && location) wanted.push({ outcome: o, entry: j, sent: e.resource, location, fresh });
    });
  });
  if (wanted.length === 0) return;
  let found: Resource[];
  try {
    found = await read([...new Set(wanted.map((w) => w.location))], opts);
  } catch (e) {
    if (e instanceof FhirAbortError || opts.signal?.aborted) throw e;
    // The write stands; only the comparison is missing, and the outcome says so.
    for (const w of wanted) w.outcome.reason = `stored content not compared (${reasonOf(e)})`;
    return;
  }
  const stored = new Map(found.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  for (const w of wanted) {
    const have = stored.get(w.location);
    if (!have) continue;
    const paths = differingPaths(w.sent, have, '', [], w.fresh);
    if (paths.length === 0) continue;
    w.outcome.status = 'conflict';
    (w.outcome.conflicts ??= []).push({ entry: w.entry, resourceType: w.sent.resourceType, location: w.location, paths });
    w.outcome.reason = `stored ${w.sent.resourceType} differs at ${paths.join(', ')}`;
  }
}

const SERVER_OWNED = new Set(['id', 'meta', 'text']);

/**
 * Element paths where `sent` and `stored` differ (`period.end`, `identifier[1]`, `name[0].given`), sorted; values
 * never appear. A `reference` sent as `urn:uuid:` stands for whatever the server resolved it to, unless it names an
 * entry in `fresh` (created by the same transaction): a stored resource cannot point at what did not exist yet.
 * @internal
 */
export function differingPaths(sent: unknown, stored: unknown, path = '', out: string[] = [], fresh: ReadonlySet<string> = new Set()): string[] {
  if (path === '' && isObject(sent) && isObject(stored)) {
    for (const k of keysOf(sent, stored)) if (!SERVER_OWNED.has(k)) differingPaths(sent[k], stored[k], k, out, fresh);
    return out.sort();
  }
  if (Array.isArray(sent) && Array.isArray(stored)) {
    if (sent.length !== stored.length) out.push(path);
    else sent.forEach((v, i) => differingPaths(v, stored[i], `${path}[${i}]`, out, fresh));
    return out;
  }
  if (isObject(sent) && isObject(stored)) {
    for (const k of keysOf(sent, stored)) {
      const ref = sent[k];
      if (k === 'reference' && typeof ref === 'string' && ref.startsWith('urn:uuid:')) {
        if (fresh.has(ref)) out.push(`${path}.${k}`);
        continue;
      }
      differingPaths(sent[k], stored[k], `${path}.${k}`, out, fresh);
    }
    return out;
  }
  if (sent !== stored) out.push(path);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keysOf(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== undefined || b[k] !== undefined);
}

/**
 * The entries of one written transaction whose conditional create found a stored resource with other content
 * (for writes outside `recordAll`, such as the roster `PeerClient.recordEncounters` writes first).
 * @internal
 */
export async function storedConflicts(request: Bundle, response: Bundle, read: ReadStored, opts: RequestOptions): Promise<{ unchanged: number; created: number; conflicts: RecordConflict[] }> {
  const entries = request.entry ?? [];
  const outcome: RecordOutcome = {
    index: 0,
    status: 'unchanged',
    entryStatuses: entries.map((_e, i) => Number.parseInt(response.entry?.[i]?.response?.status ?? '', 10)),
    locations: entries.map((_e, i) => response.entry?.[i]?.response?.location),
  };
  await findConflicts([{ index: 0, entries }], [outcome], read, opts);
  const conflicts = outcome.conflicts ?? [];
  const created = outcome.entryStatuses.filter((s) => s === 201).length;
  return { created, unchanged: outcome.entryStatuses.length - created - conflicts.length, conflicts };
}
