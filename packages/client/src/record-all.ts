import type { Bundle, BundleEntry } from 'fhir/r4.js';
import { FhirAbortError, FhirError, isFhirError } from './errors.js';
import { isAllConditionalBundle } from './internal/retry.js';
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
 * Progress reported by {@link PeerFhirClient.recordAll} after each settled record group.
 *
 * See https://hl7.org/fhir/R4/http.html#transaction.
 * @example
 * ```ts
 * const onProgress = (p: RecordAllProgress) => console.log(`${p.done}/${p.total}, ${p.failed} failed`);
 * ```
 * @category Bundles
 */
export interface RecordAllProgress {
  done: number;
  total: number;
  created: number;
  existing: number;
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
  /** Transactions in flight at once (default 4). */
  concurrency?: number | undefined;
  /** Called after every settled group of records. */
  onProgress?: ((progress: RecordAllProgress) => void) | undefined;
}

/**
 * What happened to one record: `created` (landed; on a first run every entry answers 201),
 * `existing` (every entry already existed: 200), `failed` (with a PHI-free reason).
 *
 * See https://hl7.org/fhir/R4/http.html#ccreate.
 * @example
 * ```ts
 * summary.records.filter((r: RecordOutcome) => r.status === 'failed').forEach((r) => console.log(r.index, r.reason));
 * ```
 * @category Bundles
 */
export interface RecordOutcome {
  /** Position of the record in the input. */
  index: number;
  status: 'created' | 'existing' | 'failed';
  /** HTTP status per entry, from the transaction-response (empty when the record failed as a whole). */
  entryStatuses: number[];
  /** `Type/id` per entry, when the server reported a location. */
  locations: (string | undefined)[];
  /** Why it failed: error class, HTTP status and OperationOutcome issue codes only. */
  reason?: string | undefined;
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

type RunTransaction = (bundle: Bundle, opts: RequestOptions) => PromiseLike<Bundle>;

interface Indexed {
  index: number;
  entries: RecordEntries;
}

/**
 * Not `async` on purpose: the records are validated and packed here, and only the groups are carried into the
 * asynchronous part ({@link writeGroups}), which drops each group once sent. An async function would keep its
 * `records` parameter, and with it every mapped entry of a bulk write, alive until the last transaction answered.
 */
export function recordAll(run: RunTransaction, records: readonly RecordEntries[], opts: RecordAllOptions): Promise<RecordAllSummary> {
  try {
    return writeGroups(run, prepare(records, opts), opts);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

interface Prepared {
  outcomes: RecordOutcome[];
  progress: RecordAllProgress;
  groups: (Indexed[] | undefined)[];
}

function prepare(records: readonly RecordEntries[], opts: RecordAllOptions): Prepared {
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  const progress: RecordAllProgress = { done: 0, total: records.length, created: 0, existing: 0, failed: 0 };
  const valid: Indexed[] = [];
  records.forEach((entries, index) => {
    const problem = validateRecord(entries);
    if (problem) settle(outcomes, progress, { index, status: 'failed', entryStatuses: [], locations: [], reason: problem });
    else valid.push({ index, entries });
  });
  if (progress.done > 0) opts.onProgress?.({ ...progress });
  return { outcomes, progress, groups: pack(valid, Math.max(1, opts.bundleSize ?? 100)) };
}

function settle(outcomes: RecordOutcome[], progress: RecordAllProgress, o: RecordOutcome): void {
  outcomes[o.index] = o;
  progress.done++;
  progress[o.status]++;
}

async function writeGroups(run: RunTransaction, prepared: Prepared, opts: RecordAllOptions): Promise<RecordAllSummary> {
  const { concurrency = 4, onProgress, maxRetries = 5, bundleSize: _bundleSize, ...request } = opts;
  const { outcomes, progress, groups } = prepared;
  const settled = (o: RecordOutcome): void => settle(outcomes, progress, o);
  // Only each entry's status and location are read back, so the server is asked not to echo every resource
  // (https://hl7.org/fhir/R4/http.html#ops): on a bulk write that halves what crosses the wire and what is parsed.
  // A caller's own `Prefer` header wins; servers that ignore it answer as before.
  const reqOpts: RequestOptions = { ...request, maxRetries, headers: { prefer: 'return=minimal', ...request.headers } };

  const runGroup = async (group: Indexed[]): Promise<void> => {
    try {
      const response = await run(toBundle(group), reqOpts);
      for (const o of mapResponse(group, response)) settled(o);
    } catch (e) {
      if (e instanceof FhirAbortError || request.signal?.aborted) throw e;
      if (group.length > 1 && isRecordSpecific(e)) {
        // Bisect so the good records still land and the bad one(s) are named.
        const mid = Math.ceil(group.length / 2);
        await runGroup(group.slice(0, mid));
        await runGroup(group.slice(mid));
        return;
      }
      for (const r of group) settled({ index: r.index, status: 'failed', entryStatuses: [], locations: [], reason: reasonOf(e) });
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

function validateRecord(entries: RecordEntries): string | undefined {
  if (entries.length === 0) return 'record has no entries';
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [...entries] };
  if (!isAllConditionalBundle(bundle)) return 'record has an entry that is not conditional (POST without ifNoneExist, or PATCH)';
  const local = new Set(entries.map((e) => e.fullUrl).filter((u): u is string => u?.startsWith('urn:uuid:') === true));
  for (const entry of entries) {
    if (hasForeignUrn(entry.resource, local)) return 'record references a urn:uuid entry outside itself';
  }
  return undefined;
}

/**
 * True when a `reference` inside `value` is a urn:uuid that is not in `local`. A walk rather than a regex over
 * `JSON.stringify` output (no text is built); `for...in` because these are plain JSON objects and it allocates no
 * entry arrays, which `Object.entries` does for every object of every entry.
 */
function hasForeignUrn(value: unknown, local: ReadonlySet<string>): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasForeignUrn(v, local)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const k in record) {
    const v = record[k];
    if (k === 'reference' && typeof v === 'string') {
      if (v.startsWith('urn:uuid:') && !local.has(v)) return true;
    } else if (typeof v === 'object' && hasForeignUrn(v, local)) return true;
  }
  return false;
}

function pack(records: Indexed[], size: number): Indexed[][] {
  const groups: Indexed[][] = [];
  let current: Indexed[] = [];
  let count = 0;
  for (const r of records) {
    if (current.length > 0 && count + r.entries.length > size) {
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
    return group.map((r) => ({ index: r.index, status: 'failed', entryStatuses: [], locations: [], reason: 'transaction-response entry count does not match the request' }));
  }
  let offset = 0;
  return group.map((r) => {
    const mine = answers.slice(offset, offset + r.entries.length);
    offset += r.entries.length;
    const statuses = mine.map((a) => Number.parseInt(a.response?.status ?? '', 10));
    const locations = mine.map((a) => a.response?.location);
    if (statuses.some((s) => !(s >= 200 && s < 300) && s !== 304)) {
      const bad = statuses.find((s) => !(s >= 200 && s < 300));
      return { index: r.index, status: 'failed', entryStatuses: statuses, locations, reason: `entry answered HTTP ${Number.isNaN(bad) ? 'unknown' : bad}` };
    }
    const status = statuses.every((s) => s !== 201) ? 'existing' : 'created';
    return { index: r.index, status, entryStatuses: statuses, locations };
  });
}

// 4xx other than auth/throttling point at a record's content: worth bisecting.
function isRecordSpecific(e: unknown): boolean {
  return isFhirError(e) && e.status !== undefined && e.status >= 400 && e.status < 500 && ![401, 408, 429].includes(e.status);
}

function reasonOf(e: unknown): string {
  if (!(e instanceof FhirError)) return e instanceof Error ? e.name : 'unknown error';
  const issues = (e.operationOutcome?.issue ?? []).map((i) => (i.expression?.length ? `${i.code} at ${i.expression.join(', ')}` : i.code));
  const head = e.status === undefined ? e.name : `${e.name} (HTTP ${e.status})`;
  return issues.length > 0 ? `${head}: ${issues.join('; ')}` : head;
}
