import { fromFhir, FhirMappingError, type CompleteDomainRecords, type MappingOptions, type ValidationIssue } from '@peer-fhir/core';
import type { FhirResource } from 'fhir/r4.js';
import { NdjsonLineError } from './bulk-errors.js';
import { SpillFolder, type SpillFile, type SpilledLine } from './internal/ingest-spill.js';
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
  /** The domain records (empty when they were handed to `onRecords`). */
  records: CompleteDomainRecords;
  rejects: IngestReject[];
  /** Lines that held a resource or were rejected as not one. */
  read: number;
  /**
   * The most resources held in memory at once: the caseload (agency, staff, participants, coverage, plans, consents)
   * while it is read, then what encounters are read with (agency, staff, sites, groups, participants) plus one batch
   * of at most twice `batchSize` resources (more only when one group session alone has more). It grows with the
   * caseload, not with the services recorded.
   */
  peakHeld: number;
}

/**
 * How {@link ingestNdjson} and {@link ingestResources} batch their work. Encounters with their diagnoses
 * (`Condition`) and notes (`DocumentReference`) are written to a temporary file as they are read, then mapped a
 * batch at a time (a group session with all its attendees stays in one batch); the rest of the input is held.
 * @example
 * ```ts
 * const opts: IngestBatchOptions = { batchSize: 1000, onRecords: (r) => console.log(r.encounters.length) };
 * ```
 * @category Bulk Data
 */
export interface IngestBatchOptions {
  /**
   * Called with each batch of records (first the agency, staff, participants, plans and consents, then encounters a
   * batch at a time), awaited before the next; the result's `records` then stays empty, so memory stays flat.
   */
  onRecords?: ((records: CompleteDomainRecords) => void | Promise<void>) | undefined;
  /**
   * About how many resources (encounters with their diagnoses and notes) are mapped at once; default 500. A batch
   * holds at most twice as many, or one group session with all its attendees' resources when that alone is more.
   */
  batchSize?: number | undefined;
  /** Where the temporary folder goes (default: the OS's); it is owner-only and removed when the ingest ends. */
  tempDir?: string | undefined;
}

/**
 * Options of {@link ingestResources}: core's mapping options and the batching.
 * @example
 * ```ts
 * const opts: IngestResourcesOptions = { agency: '1234567893', batchSize: 200 };
 * ```
 * @category Bulk Data
 */
export interface IngestResourcesOptions extends MappingOptions, IngestBatchOptions {}

/**
 * Options of {@link ingestNdjson}: core's mapping options (agency, namespace) and the NDJSON reader's.
 * @example
 * ```ts
 * const opts: IngestOptions = { agency: '1234567893', maxLineBytes: 1_000_000 };
 * ```
 * @category Bulk Data
 */
export interface IngestOptions extends IngestResourcesOptions, Omit<ReadNdjsonOptions, 'resourceType'> {}

type Line = SpilledLine;

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


/** Types core's `fromFhir` reads records from, or reads them with, that scale with the caseload: held until the end. */
const CASELOAD = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Group', 'Patient', 'Coverage', 'CarePlan', 'CareTeam', 'Goal', 'Consent']);
/** What an encounter is read with besides its participant: the agency, its staff, sites and peer groups. */
const ENCOUNTER_CONTEXT = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Group']);
/** Types that scale with the services recorded: written to a temporary file, then mapped a batch at a time. */
const SERVICE = new Set(['Encounter', 'Condition', 'DocumentReference']);
const DEFAULT_BATCH = 500;
/** Open partition files at once while routing (each a write stream with its own small buffer). */
const MAX_PARTITIONS = 256;
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** `Type/id` of a literal reference (relative or absolute); undefined for none or a `urn:uuid:` one. */
function refKey(reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  const parts = reference.split('/');
  return parts.length >= 2 ? parts.slice(-2).join('/') : undefined;
}

/**
 * The encounter a service-scoped resource is read with: an attendee's Encounter with its group session (`partOf`), a
 * diagnosis (`Condition.encounter`, must-support in US Core's encounter-diagnosis profile) and a note
 * (`DocumentReference.context.encounter`) with their Encounter.
 */
function encounterOf(resource: FhirResource): string | undefined {
  if (resource.resourceType === 'Encounter') return refKey(resource.partOf?.reference) ?? `Encounter/${resource.id ?? ''}`;
  if (resource.resourceType === 'Condition') return refKey(resource.encounter?.reference);
  if (resource.resourceType === 'DocumentReference') return refKey(resource.context?.encounter?.[0]?.reference);
  return undefined;
}

/** FNV-1a: a stable, even spread of keys over partitions. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The first routing of the spill: by hash, holding nothing per encounter. */
const byHash = (key: string, count: number): number => hash(key) % count;

/**
 * A re-routing of one overfull file: its encounters dealt in the order they first appear, so any two of the first
 * `count` land apart. Holds the keys of that one file (about twice `batchSize` of them at most beyond the first round).
 */
function byFirstSeen(): (key: string, count: number) => number {
  const rank = new Map<string, number>();
  return (key, count) => {
    let r = rank.get(key);
    if (r === undefined) rank.set(key, (r = rank.size));
    return r % count;
  };
}

function emptyRecords(): CompleteDomainRecords {
  return { organizations: [], specialists: [], participants: [], encounters: [], plans: [], consents: [] };
}

/** What encounters are mapped with: the agency, staff, sites and groups, and the participants by `Patient/id`. */
interface EncounterContext {
  shared: Line[];
  patients: Map<string, Line>;
}

/**
 * One ingest: caseload resources are held, service-scoped ones spilled to a temporary file; at the end the caseload is
 * mapped, then the spill is routed into partitions (each group session, encounter, diagnosis and note by the encounter
 * it belongs with) and each partition mapped with the caseload as context. Memory: the caseload plus one partition.
 */
class StreamedIngest {
  readonly rejects: IngestReject[] = [];
  readonly records = emptyRecords();
  read = 0;
  peakHeld = 0;
  #held: Line[] = [];
  #folder: SpillFolder | undefined;
  #spill: SpillFile | undefined;
  /** `Encounter/{attendee}` -> `Encounter/{session}`: a diagnosis or note of an attendee goes with its session. */
  readonly #sessionOf = new Map<string, string>();

  constructor(private readonly options: IngestResourcesOptions & { maxLineBytes?: number | undefined }) {}

  async add(line: Line): Promise<void> {
    const r = line.resource;
    if (CASELOAD.has(r.resourceType)) {
      this.#held.push(line);
      this.peakHeld = Math.max(this.peakHeld, this.#held.length);
      return;
    }
    // core's fromFhir reads nothing else: other types are counted as read and dropped.
    if (!SERVICE.has(r.resourceType)) return;
    const session = r.resourceType === 'Encounter' ? refKey(r.partOf?.reference) : undefined;
    if (session !== undefined) this.#sessionOf.set(`Encounter/${r.id ?? ''}`, session);
    this.#folder ??= await SpillFolder.create(this.options.tempDir);
    this.#spill ??= this.#folder.file();
    await this.#spill.write(line);
  }

  /** Map everything read; the temporary files are removed, also on failure. */
  async finish(): Promise<IngestResult> {
    try {
      const context = await this.#mapCaseload();
      if (this.#spill) await this.#mapServices(this.#spill, context);
    } finally {
      await this.discard();
    }
    this.rejects.sort((a, b) => a.line - b.line);
    return { records: this.records, rejects: this.rejects, read: this.read, peakHeld: this.peakHeld };
  }

  async discard(): Promise<void> {
    await this.#spill?.close().catch(() => undefined);
    await this.#folder?.remove();
  }

  async #emit(records: CompleteDomainRecords): Promise<void> {
    if (this.options.onRecords) {
      await this.options.onRecords(records);
      return;
    }
    for (const key of Object.keys(records) as (keyof CompleteDomainRecords)[]) (this.records[key] as unknown[]).push(...records[key]);
  }

  async #mapCaseload(): Promise<EncounterContext> {
    const mapped = mapAll(this.#held, this.options);
    this.rejects.push(...mapped.rejects);
    await this.#emit(mapped.records);
    const rejected = new Set(mapped.rejects.map((r) => r.line));
    const kept = this.#held.filter((l) => !rejected.has(l.line));
    const shared = kept.filter((l) => ENCOUNTER_CONTEXT.has(l.resource.resourceType));
    const patients = new Map(kept.filter((l) => l.resource.resourceType === 'Patient').map((l) => [`Patient/${l.resource.id ?? ''}`, l]));
    // Plans, consents and coverage are mapped: only what encounters are read with stays.
    this.#held = [...shared, ...patients.values()];
    return { shared, patients };
  }

  async #mapServices(spill: SpillFile, context: EncounterContext): Promise<void> {
    await spill.close();
    for (const partition of await this.#bounded(spill)) {
      const lines: Line[] = [];
      for await (const entry of partition.read(this.#maxSpilledLine())) lines.push(entry);
      this.peakHeld = Math.max(this.peakHeld, this.#held.length + lines.length);
      await this.#mapBatch(lines, context);
    }
  }

  #maxSpilledLine(): number {
    // A resource re-serialised can be longer than its line (escapes), plus the `[line, ...]` wrapper.
    return 2 * (this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES) + 64;
  }

  /**
   * The spilled resources in files of at most twice `batchSize` each, an encounter with all that it is read with; a
   * file holds more only when one encounter (a group session with its attendees) alone has more. The first routing
   * spreads encounters by a hash of their ids, which the server chose; a file that got more than its share is routed
   * again by the order its encounters first appear in it, which always splits two encounters apart, so every round
   * leaves each overfull file with fewer encounters and routing ends. (A salted re-hash did not: for a power-of-two
   * count the low bits of FNV-1a ignore a prefix, and two encounters that collided once collided forever — found by a
   * CI run that timed out, see ingest-batches.property.test.ts.)
   */
  async #bounded(spill: SpillFile): Promise<SpillFile[]> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH;
    const done: SpillFile[] = [];
    let todo = [spill];
    for (let round = 0; todo.length > 0; round++) {
      const next: SpillFile[] = [];
      for (const file of todo) {
        const parts = file.count > 2 * batchSize ? await this.#partition(file, batchSize, round === 0 ? byHash : byFirstSeen()) : undefined;
        if (parts === undefined) done.push(file);
        else if (parts.oneEncounter) done.push(...parts.files);
        else next.push(...parts.files);
      }
      todo = next;
    }
    return done;
  }

  /**
   * Route a file's resources into files of about `batchSize` each by `route` of the encounter each is read with;
   * `oneEncounter` when they all belong with one encounter (no routing can split them).
   */
  async #partition(spill: SpillFile, batchSize: number, route: (key: string, count: number) => number): Promise<{ files: SpillFile[]; oneEncounter: boolean }> {
    const count = Math.min(MAX_PARTITIONS, Math.ceil(spill.count / batchSize));
    const files = Array.from({ length: count }, () => this.#folder!.file());
    let first: string | undefined;
    let oneEncounter = true;
    for await (const entry of spill.read(this.#maxSpilledLine())) {
      const encounter = encounterOf(entry.resource) ?? '';
      const key = this.#sessionOf.get(encounter) ?? encounter;
      first ??= key;
      oneEncounter &&= key === first;
      await files[route(key, count)]!.write(entry);
    }
    await Promise.all(files.map((f) => f.close()));
    return { files: files.filter((f) => f.count > 0), oneEncounter };
  }

  async #mapBatch(lines: Line[], context: EncounterContext): Promise<void> {
    const patients = new Set<Line>();
    for (const { resource } of lines) {
      const patient = resource.resourceType === 'Encounter' ? context.patients.get(refKey(resource.subject?.reference) ?? '') : undefined;
      if (patient) patients.add(patient);
    }
    const mapped = mapAll([...context.shared, ...patients, ...lines], this.options);
    const own = new Set(lines.map((l) => l.line));
    this.rejects.push(...mapped.rejects.filter((r) => own.has(r.line)));
    await this.#emit({ ...emptyRecords(), encounters: mapped.records.encounters });
  }
}

/** Feed an ingest and finish it; its temporary files are removed whatever happens. */
async function runIngest(ingest: StreamedIngest, feed: () => Promise<void>): Promise<IngestResult> {
  try {
    await feed();
  } catch (err) {
    await ingest.discard();
    throw err;
  }
  return ingest.finish();
}

/**
 * Read FHIR NDJSON (a Bulk Data export's files, a vendor's EHI export, a file) into peer-fhir's domain records with
 * core's `fromFhir`: agencies, peer specialists, participants with their coverage, encounters, recovery plans and
 * consents, ready to bill. The text is read a chunk at a time. The caseload (agency, staff, participants, coverage,
 * plans, consents) is held; encounters with their diagnoses and notes go to a temporary file as they are read and are
 * mapped a batch at a time afterwards (see {@link IngestBatchOptions}), so memory grows with the caseload, not with the
 * services recorded — with `onRecords`, not with the records either. Each line that is not a resource, and each
 * resource that does not map, becomes a reject with its line number, element path and code — never a value — and the
 * rest is still returned. Resources of other kinds (or not written by peer-fhir) are ignored, as `fromFhir` does.
 *
 * @param source - NDJSON text: a Node or web readable stream, or an async iterable of chunks.
 * @param options - the agency (and namespace) whose identifiers the records carry; batching; NDJSON line limits.
 * @returns the domain records, the rejects (line, path, code) sorted by line, the count of lines read and the most
 *   resources held at once.
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
  const ingest = new StreamedIngest(options);
  return runIngest(ingest, async () => {
    for await (const entry of ndjsonLines(source, options)) {
      ingest.read++;
      let resource: FhirResource;
      try {
        resource = parseNdjsonLine(entry, options);
      } catch (err) {
        if (!(err instanceof NdjsonLineError)) throw err;
        ingest.rejects.push(lineReject(err));
        continue;
      }
      await ingest.add({ line: entry.line, resource });
    }
  });
}

/**
 * {@link ingestNdjson} for resources already parsed, such as a Bulk Data job's `resources()`: a reject's `line` is
 * the resource's 1-based position in the stream. Batching and memory as for {@link ingestNdjson}.
 * @param resources - the resources, in any order (sync or async iterable).
 * @param options - the agency (and namespace) whose identifiers the records carry; batching.
 * @returns the domain records, the rejects (position, path, code), the count read and the most resources held at once.
 * @throws FhirMappingError when the input as a whole cannot be read (no single agency Organization)
 * @example
 * ```ts
 * const job = await client.bulkExport({ level: 'patient' });
 * try {
 *   let encounters = 0;
 *   const { rejects } = await ingestResources(job.resources(), { agency: '1234567893', onRecords: (r) => void (encounters += r.encounters.length) });
 *   console.log(encounters, rejects.length);
 * } finally {
 *   await job.delete();
 * }
 * ```
 * @category Bulk Data
 */
export async function ingestResources(resources: AsyncIterable<FhirResource> | Iterable<FhirResource>, options: IngestResourcesOptions = {}): Promise<IngestResult> {
  const ingest = new StreamedIngest(options);
  return runIngest(ingest, async () => {
    for await (const resource of resources) await ingest.add({ line: ++ingest.read, resource });
  });
}
