import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

/**
 * The private maps of Medplum 4.5.2's MemoryRepository (`resources`, `history`). We reach into them
 * for two things its API gets wrong: instance history (`readHistory` reverses the stored array in
 * place, so the order flips on every call) and transaction rollback (it has no transactions).
 * The package pins @medplum/fhir-router exactly; the tests fail loudly if the shape changes.
 */
interface MemoryStoreInternals {
  resources: Map<string, Map<string, Resource>>;
  history: Map<string, Map<string, Resource[]>>;
}

function internals(repo: MemoryRepository): MemoryStoreInternals {
  const store = repo as unknown as Partial<MemoryStoreInternals>;
  if (!(store.resources instanceof Map) || !(store.history instanceof Map)) {
    throw new Error('Unsupported @medplum/fhir-router version: MemoryRepository internals changed');
  }
  return store as MemoryStoreInternals;
}

/** Every stored version of one resource, oldest first (a copy). */
export function versionsOf(repo: MemoryRepository, resourceType: string, id: string): Resource[] {
  return [...(internals(repo).history.get(resourceType)?.get(id) ?? [])];
}

/** A restorable copy of the store; stored resources are never mutated in place, so a shallow copy suffices. */
export type StoreSnapshot = MemoryStoreInternals;

export function snapshotStore(repo: MemoryRepository): StoreSnapshot {
  const store = internals(repo);
  const copy = <V>(outer: Map<string, Map<string, V>>, clone: (v: V) => V): Map<string, Map<string, V>> =>
    new Map([...outer].map(([type, inner]) => [type, new Map([...inner].map(([id, v]) => [id, clone(v)]))]));
  return { resources: copy(store.resources, (r) => r), history: copy(store.history, (h) => [...h]) };
}

export function restoreStore(repo: MemoryRepository, snapshot: StoreSnapshot): void {
  const store = internals(repo);
  store.resources.clear();
  store.history.clear();
  for (const [type, inner] of snapshot.resources) store.resources.set(type, inner);
  for (const [type, inner] of snapshot.history) store.history.set(type, inner);
}
