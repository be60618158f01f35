import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

/**
 * The private maps of Medplum 4.5.2's MemoryRepository (`resources`, `history`). We reach into them
 * for what its API gets wrong: instance history (`readHistory` reverses the stored array in
 * place, so the order flips on every call). Transaction rollback lives in the write journal of
 * `server/indexed-repository.ts`.
 * The package pins @medplum/fhir-router exactly; `test/medplum-assumptions.test.ts` fails if the shape changes.
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
