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

const URN_REF = /"reference"\s*:\s*"(urn:uuid:[^"]+)"/g;

export async function recordAll(run: RunTransaction, records: readonly RecordEntries[], opts: RecordAllOptions): Promise<RecordAllSummary> {
  const { bundleSize = 100, concurrency = 4, onProgress, maxRetries = 5, ...request } = opts;
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  const progress: RecordAllProgress = { done: 0, total: records.length, created: 0, existing: 0, failed: 0 };
  const settle = (o: RecordOutcome): void => {
    outcomes[o.index] = o;
    progress.done++;
    progress[o.status]++;
  };

  const valid: Indexed[] = [];
  records.forEach((entries, index) => {
    const problem = validateRecord(entries);
    if (problem) settle({ index, status: 'failed', entryStatuses: [], locations: [], reason: problem });
    else valid.push({ index, entries });
  });
  if (progress.done > 0) onProgress?.({ ...progress });

  const groups = pack(valid, Math.max(1, bundleSize));
  const reqOpts: RequestOptions = { ...request, maxRetries };

  const runGroup = async (group: Indexed[]): Promise<void> => {
    try {
      const response = await run(toBundle(group), reqOpts);
      for (const o of mapResponse(group, response)) settle(o);
    } catch (e) {
      if (e instanceof FhirAbortError || request.signal?.aborted) throw e;
      if (group.length > 1 && isRecordSpecific(e)) {
        // Bisect so the good records still land and the bad one(s) are named.
        const mid = Math.ceil(group.length / 2);
        await runGroup(group.slice(0, mid));
        await runGroup(group.slice(mid));
        return;
      }
      for (const r of group) settle({ index: r.index, status: 'failed', entryStatuses: [], locations: [], reason: reasonOf(e) });
    }
    onProgress?.({ ...progress });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const group = groups[next++];
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
    for (const m of JSON.stringify(entry.resource ?? {}).matchAll(URN_REF)) {
      if (!local.has(m[1] ?? '')) return 'record references a urn:uuid entry outside itself';
    }
  }
  return undefined;
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
