import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import type { MemoryRepository } from '@medplum/fhir-router';
import { passesTypeFilters, type TypeFilters } from './bulk-type-filter.js';
import { deletionsSince, type Deletion } from './deletions.js';
import { sqliteStoreOf } from './indexed-repository.js';
import { storeMapsOf } from './medplum/index.js';
import { referencesIn } from './sqlite-store.js';

/** Which resources a Bulk Data kick-off asks for (https://hl7.org/fhir/uv/bulkdata/STU2/export.html#query-parameters). */
export interface ExportSelection {
  /** Resource types to export, in this order. */
  types: string[];
  /** `_typeFilter` by type: a resource of a filtered type is exported when one of its type's searches matches. */
  typeFilters?: TypeFilters | undefined;
  /** `_type` as asked (undefined: every type, also one with no resource left, for the deletions). */
  askedTypes?: ReadonlySet<string> | undefined;
  /** Only resources whose `meta.lastUpdated` is after this instant (ms since the epoch). */
  sinceMs: number | undefined;
  /** `undefined`: every resource (system level); otherwise only these patients' compartments (`Patient/{id}`) or, when `anyPatient`, every patient's. */
  patients: ReadonlySet<string> | undefined;
  anyPatient: boolean;
}

/** One NDJSON file of a completed job. */
export interface ExportOutput {
  type: string;
  /** File name in the job (`{type}.ndjson`). */
  name: string;
  count: number;
}

/** A completed export job: the snapshot taken at kick-off. */
export interface ExportJob {
  id: string;
  /** The kick-off URL, as the manifest's `request`. */
  request: string;
  transactionTime: string;
  outputs: ExportOutput[];
  /** Files of transaction Bundles with a DELETE entry per resource deleted since `_since` (IG v2 manifest `deleted`). */
  deleted: ExportOutput[];
  /** Where the files are: a folder, or the file texts themselves (a store without a data folder). */
  files: { dir: string } | { texts: Map<string, string> };
}

/** Where a job's lines go while it runs: files in a folder, or strings for a store kept in memory. */
interface Sink {
  open(name: string): LineWriter;
}

interface LineWriter {
  write(line: string): void;
  close(): void;
}

/** Buffered lines before a write to the file: a few dozen resources, so memory stays flat whatever the export size. */
const FLUSH_BYTES = 64 * 1024;

function folderSink(dir: string): Sink {
  // Export files hold PHI: owner-only, like the database (42 CFR 2.16, HIPAA 164.312(a)).
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    open(name) {
      const fd = openSync(join(dir, name), 'w', 0o600);
      let pending = '';
      const flush = (): void => {
        if (pending) writeSync(fd, pending);
        pending = '';
      };
      return {
        write(line) {
          pending += `${line}\n`;
          if (pending.length >= FLUSH_BYTES) flush();
        },
        close() {
          flush();
          closeSync(fd);
        },
      };
    },
  };
}

function memorySink(texts: Map<string, string>): Sink {
  return {
    open(name) {
      const lines: string[] = [];
      return {
        write: (line) => lines.push(line),
        close: () => texts.set(name, lines.length ? `${lines.join('\n')}\n` : ''),
      };
    },
  };
}

/** The repository's current resources by type (./medplum/index.ts, A2): the SQLite store is read a batch at a time. */
function resourceMaps(repo: MemoryRepository): Map<string, Map<string, Resource>> {
  return storeMapsOf(repo).resources;
}

/** Resource types that hold at least one current resource, sorted. */
export function storedTypes(repo: MemoryRepository): string[] {
  const sqlite = sqliteStoreOf(repo);
  if (sqlite) return sqlite.types();
  return [...resourceMaps(repo)].filter(([, map]) => map.size > 0).map(([type]) => type).sort();
}

function currentResources(repo: MemoryRepository, type: string): Iterable<Resource> {
  return resourceMaps(repo).get(type)?.values() ?? [];
}

/**
 * Patient compartment, as the embedded server reads it: the Patient itself, or a resource holding a reference to the
 * patient anywhere (a superset of the R4 CompartmentDefinition's named parameters, documented in docs/bulk-data.md).
 */
function inPatientScope(resource: Resource, selection: ExportSelection): boolean {
  const patients = selection.patients;
  if (patients === undefined) return true;
  if (resource.resourceType === 'Patient') return selection.anyPatient || patients.has(`Patient/${resource.id ?? ''}`);
  for (const reference of referencesIn(resource)) {
    if (selection.anyPatient ? reference.startsWith('Patient/') : patients.has(reference)) return true;
  }
  return false;
}

function selected(resource: Resource, selection: ExportSelection): boolean {
  if (selection.sinceMs !== undefined) {
    // Bulk Data `_since`: resources modified after the instant; one without lastUpdated cannot be shown to be.
    const updated = Date.parse(resource.meta?.lastUpdated ?? '');
    if (!(updated > selection.sinceMs)) return false;
  }
  return inPatientScope(resource, selection) && passesTypeFilters(resource, selection.typeFilters);
}

function writeType(repo: MemoryRepository, type: string, selection: ExportSelection, sink: Sink): ExportOutput {
  const name = `${type}.ndjson`;
  const writer = sink.open(name);
  let count = 0;
  try {
    for (const resource of currentResources(repo, type)) {
      if (!selected(resource, selection)) continue;
      writer.write(JSON.stringify(resource));
      count++;
    }
  } finally {
    writer.close();
  }
  return { type, name, count };
}

/** DELETE entries per Bundle line of the deleted file. */
const DELETES_PER_BUNDLE = 100;

function inDeletedScope(d: Deletion, selection: ExportSelection): boolean {
  const patients = selection.patients;
  if (patients === undefined) return true;
  return selection.anyPatient ? d.patients.length > 0 : d.patients.some((p) => patients.has(p));
}

/**
 * The deletions since `_since` as NDJSON of transaction Bundles, each entry `request: { method: 'DELETE', url:
 * 'Type/id' }` (https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status, `deleted`). No
 * `_since`, no file: a full export's consumer has nothing to delete.
 */
function writeDeleted(repo: MemoryRepository, selection: ExportSelection, sink: Sink): ExportOutput[] {
  if (selection.sinceMs === undefined) return [];
  const exists = (type: string, id: string): boolean => resourceMaps(repo).get(type)?.has(id) ?? false;
  const deleted = deletionsSince(repo, selection.sinceMs, selection.askedTypes, exists).filter((d) => inDeletedScope(d, selection));
  if (deleted.length === 0) return [];
  const name = 'deleted.ndjson';
  const writer = sink.open(name);
  try {
    for (let i = 0; i < deleted.length; i += DELETES_PER_BUNDLE) {
      const entry = deleted.slice(i, i + DELETES_PER_BUNDLE).map((d) => ({ request: { method: 'DELETE', url: `${d.type}/${d.id}` } }));
      writer.write(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
    }
  } finally {
    writer.close();
  }
  return [{ type: 'Bundle', name, count: deleted.length }];
}

/**
 * Run an export to completion: one NDJSON file per type, written from the store a batch at a time. Runs while no
 * other request is served (the server's request queue), so the files are one consistent snapshot as of
 * `transactionTime`. Types with no matching resource get no file (IG: "servers SHALL NOT include files with no
 * resources").
 */
export function runExportJob(repo: MemoryRepository, job: Omit<ExportJob, 'outputs' | 'deleted' | 'files'>, selection: ExportSelection, dir: string | undefined): ExportJob {
  const texts = new Map<string, string>();
  const jobDir = dir === undefined ? undefined : join(dir, job.id);
  const sink = jobDir === undefined ? memorySink(texts) : folderSink(jobDir);
  try {
    const outputs = selection.types.map((type) => writeType(repo, type, selection, sink)).filter((o) => o.count > 0);
    const deleted = writeDeleted(repo, selection, sink);
    return { ...job, outputs, deleted, files: jobDir === undefined ? { texts } : { dir: jobDir } };
  } catch (err) {
    if (jobDir !== undefined) rmSync(jobDir, { recursive: true, force: true });
    throw err;
  }
}

/** Remove a job's files (DELETE of its status URL). */
export function removeJobFiles(job: ExportJob): void {
  if ('dir' in job.files) rmSync(job.files.dir, { recursive: true, force: true });
  else job.files.texts.clear();
}
