import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';
import { sqliteStoreOf } from './indexed-repository.js';
import { referencesIn } from './sqlite-store.js';

// The deletion log: Bulk Data has no tombstones in its NDJSON, so a `_since` export can only tell a client what was
// deleted when the server remembers it. Each delete records the resource's type, id, time and the patients it
// belonged to (its Patient compartment, for Patient- and Group-level exports); a `_since` export lists the deletions
// after that instant whose resource does not exist again (IG v2 manifest `deleted`,
// https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status). With a data folder the log is a
// table of the database, written in the delete's own transaction; in memory it is a list (a rolled-back delete leaves
// an entry whose resource still exists, which the export skips).

/** One deleted resource. */
export interface Deletion {
  type: string;
  id: string;
  /** When it was deleted, ms since the epoch. */
  deletedMs: number;
  /** `Patient/{id}` of the patients whose compartment it was in (itself for a Patient). */
  patients: string[];
}

const memoryLogs = new WeakMap<MemoryRepository, Deletion[]>();

function patientsOf(type: string, id: string, resource: Resource | undefined): string[] {
  if (type === 'Patient') return [`Patient/${id}`];
  return [...new Set([...referencesIn(resource)].filter((r) => r.startsWith('Patient/')))];
}

/** Record that `type/id` (last stored as `before`) was deleted now. */
export function recordDeletion(repo: MemoryRepository, type: string, id: string, before: Resource | undefined): void {
  const deletion: Deletion = { type, id, deletedMs: Date.now(), patients: patientsOf(type, id, before) };
  const sqlite = sqliteStoreOf(repo);
  if (sqlite) {
    sqlite.db.prepare('INSERT INTO deletions (type, id, deleted_ms, patients) VALUES (?, ?, ?, ?)').run(type, id, deletion.deletedMs, JSON.stringify(deletion.patients));
    return;
  }
  let log = memoryLogs.get(repo);
  if (!log) memoryLogs.set(repo, (log = []));
  log.push(deletion);
}

function loggedSince(repo: MemoryRepository, sinceMs: number): Iterable<Deletion> {
  const sqlite = sqliteStoreOf(repo);
  if (!sqlite) return (memoryLogs.get(repo) ?? []).filter((d) => d.deletedMs > sinceMs);
  const rows = sqlite.db.prepare('SELECT type, id, max(deleted_ms) AS deletedMs, patients FROM deletions WHERE deleted_ms > ? GROUP BY type, id ORDER BY type, id').all(sinceMs) as { type: string; id: string; deletedMs: number; patients: string }[];
  return rows.map((r) => ({ type: r.type, id: r.id, deletedMs: r.deletedMs, patients: JSON.parse(r.patients) as string[] }));
}

/** The resources deleted after `sinceMs` that do not exist now, each once, of the given types. */
export function deletionsSince(repo: MemoryRepository, sinceMs: number, types: ReadonlySet<string> | undefined, exists: (type: string, id: string) => boolean): Deletion[] {
  const seen = new Set<string>();
  const out: Deletion[] = [];
  for (const d of loggedSince(repo, sinceMs)) {
    const key = `${d.type}/${d.id}`;
    if (seen.has(key) || (types !== undefined && !types.has(d.type))) continue;
    seen.add(key);
    // Deleted, then written again under the same id: it is in the output, not deleted.
    if (exists(d.type, d.id)) continue;
    out.push(d);
  }
  return out;
}

/** Forget every deletion (the store was emptied). */
export function clearDeletions(repo: MemoryRepository): void {
  const sqlite = sqliteStoreOf(repo);
  if (sqlite) sqlite.db.exec('DELETE FROM deletions');
  else memoryLogs.delete(repo);
}
