import { fromFhir, FhirMappingError, type CompleteDomainRecords, type MappingOptions, type ValidationIssue } from '@peer-fhir/core';
import type { FhirResource } from 'fhir/r4.js';
import { NdjsonLineError } from './bulk-errors.js';
import { ndjsonLines, parseNdjsonLine, type NdjsonSource, type ReadNdjsonOptions } from './ndjson.js';

/**
 * One resource (or line) that did not become a domain record: its 1-based line in the input, its type when known,
 * the element path within it (`period.end`; empty for the whole line) and a stable code. Never a value.
 * @example
 * ```ts
 * const r: IngestReject = { line: 12, resourceType: 'Encounter', path: 'period.start', code: 'required' };
 * ```
 * @category Bulk Data
 */
export interface IngestReject {
  line: number;
  resourceType: string | undefined;
  path: string;
  code: string;
}

/**
 * Result of {@link ingestNdjson}: the domain records, the rejects, and counts.
 * @example
 * ```ts
 * const { records, rejects, read } = await ingestNdjson(file, { agency: '1234567893' });
 * ```
 * @category Bulk Data
 */
export interface IngestResult {
  records: CompleteDomainRecords;
  rejects: IngestReject[];
  /** Lines that held a resource or were rejected as not one. */
  read: number;
}

/**
 * Options of {@link ingestNdjson}: core's mapping options (agency, namespace) and the NDJSON reader's.
 * @example
 * ```ts
 * const opts: IngestOptions = { agency: '1234567893', maxLineBytes: 1_000_000 };
 * ```
 * @category Bulk Data
 */
export interface IngestOptions extends MappingOptions, Omit<ReadNdjsonOptions, 'resourceType'> {}

interface Line {
  line: number;
  resource: FhirResource;
}

function lineReject(err: NdjsonLineError): IngestReject {
  return { line: err.line, resourceType: undefined, path: '', code: `ndjson.${err.problem}` };
}

/** The mapping issues of `one` when mapped with `context`, or undefined when it maps (or fails only elsewhere). */
function issuesOf(one: Line, context: readonly FhirResource[], options: MappingOptions): ValidationIssue[] {
  const type = one.resource.resourceType;
  try {
    fromFhir([...context, one.resource], options);
    return [];
  } catch (e) {
    if (!(e instanceof FhirMappingError)) throw e;
    return e.issues.filter((i) => i.path === type || i.path.startsWith(`${type}[`) || i.path.startsWith(`${type}.`));
  }
}

/** Whether the resources of `group` map with `context` (issues of other types do not count). */
function groupFails(group: readonly Line[], context: readonly FhirResource[], options: MappingOptions): boolean {
  const type = group[0]!.resource.resourceType;
  try {
    fromFhir([...context, ...group.map((l) => l.resource)], options);
    return false;
  } catch (e) {
    if (!(e instanceof FhirMappingError)) throw e;
    return e.issues.some((i) => i.path.startsWith(`${type}[`));
  }
}

/** The resources of one type that fail to map, found by halving: O(failures x log n) mapping runs, not one per resource. */
function culprits(group: readonly Line[], context: readonly FhirResource[], options: MappingOptions): Line[] {
  if (group.length === 0 || !groupFails(group, context, options)) return [];
  if (group.length === 1) return [...group];
  const half = Math.ceil(group.length / 2);
  return [...culprits(group.slice(0, half), context, options), ...culprits(group.slice(half), context, options)];
}

function failingTypes(err: FhirMappingError): Set<string> {
  return new Set(err.issues.map((i) => /^([A-Za-z]+)\[/.exec(i.path)?.[1]).filter((t): t is string => t !== undefined));
}

/** Reject entries for one resource: its issues with the `Type[0]` prefix reduced to the element path. */
function resourceRejects(one: Line, context: readonly FhirResource[], options: MappingOptions): IngestReject[] {
  const type = one.resource.resourceType;
  const issues = issuesOf(one, context, options);
  const list = issues.length ? issues : [{ path: '', code: 'unmappable', message: '' }];
  return list.map((i) => ({ line: one.line, resourceType: type, path: i.path.replace(/^[A-Za-z]+(\[\d+\])?\.?/, ''), code: i.code }));
}

/**
 * Map the resources to domain records; resources that cannot be mapped are set aside one by one (their issues kept)
 * until the rest maps. A resource whose only fault was to depend on a rejected one is rejected in a later round.
 */
function mapAll(lines: Line[], options: MappingOptions): { records: CompleteDomainRecords; rejects: IngestReject[] } {
  const rejects: IngestReject[] = [];
  let kept = lines;
  for (;;) {
    try {
      return { records: fromFhir(kept.map((l) => l.resource), options), rejects };
    } catch (e) {
      if (!(e instanceof FhirMappingError)) throw e;
      const removed = removeCulprits(kept, failingTypes(e), options, rejects);
      // No single resource to blame (e.g. no agency Organization at all): the input as a whole cannot be read.
      if (removed.size === 0) throw e;
      kept = kept.filter((l) => !removed.has(l));
    }
  }
}

function removeCulprits(kept: Line[], types: Set<string>, options: MappingOptions, rejects: IngestReject[]): Set<Line> {
  const removed = new Set<Line>();
  for (const type of types) {
    const group = kept.filter((l) => l.resource.resourceType === type);
    const context = kept.filter((l) => l.resource.resourceType !== type).map((l) => l.resource);
    for (const bad of culprits(group, context, options)) {
      removed.add(bad);
      rejects.push(...resourceRejects(bad, context, options));
    }
  }
  return removed;
}

/**
 * Read FHIR NDJSON (a Bulk Data export's files, a vendor's EHI export, a file) into peer-fhir's domain records with
 * core's `fromFhir`: agencies, peer specialists, participants with their coverage, encounters, recovery plans and
 * consents, ready to bill. The text is read a chunk at a time; the resources themselves are kept until the end,
 * since an encounter is read together with its participant and specialist. Each line that is not a resource, and each
 * resource that does not map, becomes a reject with its line number, element path and code — never a value — and the
 * rest is still returned. Resources of other kinds (or not written by peer-fhir) are ignored, as `fromFhir` does.
 *
 * @param source - NDJSON text: a Node or web readable stream, or an async iterable of chunks.
 * @param options - the agency (and namespace) whose identifiers the records carry; NDJSON line limits.
 * @returns the domain records, the rejects (line, path, code) sorted by line, and the count of lines read.
 * @throws FhirMappingError when the input as a whole cannot be read (no single agency Organization)
 * @see https://hl7.org/fhir/R4/nd-json.html
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * const { records, rejects } = await ingestNdjson(createReadStream('export.ndjson'), { agency: '1234567893' });
 * for (const r of rejects) console.warn(`line ${r.line}: ${r.resourceType ?? '?'} ${r.path} ${r.code}`);
 * console.log(records.encounters.length);
 * ```
 * @category Bulk Data
 */
export async function ingestNdjson(source: NdjsonSource, options: IngestOptions = {}): Promise<IngestResult> {
  const lines: Line[] = [];
  const rejects: IngestReject[] = [];
  let read = 0;
  for await (const entry of ndjsonLines(source, options)) {
    read++;
    try {
      lines.push({ line: entry.line, resource: parseNdjsonLine(entry, options) });
    } catch (err) {
      if (!(err instanceof NdjsonLineError)) throw err;
      rejects.push(lineReject(err));
    }
  }
  const mapped = mapAll(lines, options);
  return { records: mapped.records, rejects: [...rejects, ...mapped.rejects].sort((a, b) => a.line - b.line), read };
}

/**
 * {@link ingestNdjson} for resources already parsed, such as a Bulk Data job's `resources()`: a reject's `line` is
 * the resource's 1-based position in the stream.
 * @param resources - the resources, in any order (sync or async iterable).
 * @param options - the agency (and namespace) whose identifiers the records carry.
 * @returns the domain records and the rejects (position, path, code).
 * @throws FhirMappingError when the input as a whole cannot be read (no single agency Organization)
 * @example
 * ```ts
 * const job = await client.bulkExport({ level: 'patient' });
 * try {
 *   const { records, rejects } = await ingestResources(job.resources(), { agency: '1234567893' });
 *   console.log(records.participants.length, rejects.length);
 * } finally {
 *   await job.delete();
 * }
 * ```
 * @category Bulk Data
 */
export async function ingestResources(resources: AsyncIterable<FhirResource> | Iterable<FhirResource>, options: MappingOptions = {}): Promise<IngestResult> {
  const lines: Line[] = [];
  for await (const resource of resources) lines.push({ line: lines.length + 1, resource });
  const mapped = mapAll(lines, options);
  return { records: mapped.records, rejects: mapped.rejects, read: lines.length };
}
