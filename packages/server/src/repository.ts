import { OperationOutcomeError, parseSearchRequest } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import { IndexedMemoryRepository } from './indexed-repository.js';
import type { FhirResource } from 'fhir/r4.js';
import type { ResourceOf, ResourceType, Stored } from '@peer-fhir/core';
import { checkSearchQuery } from './search-guard.js';

// Declared once, in core; re-exported because the server's and testing's users import them from here.
export type { ResourceOf, ResourceType, Stored };
import { openSqliteDatabase, SqliteStore } from './sqlite-store.js';

/**
 * Direct, in-process access to the embedded server's data, for seeding and asserting in tests.
 *
 * Writes here skip HTTP and validation; searches go through the same unsupported-search checks
 * as the HTTP API (https://hl7.org/fhir/R4/search.html) and return every match (no paging).
 *
 * @example
 * ```ts
 * const server = await startFhirServer();
 * const patient = await server.repository.create({ resourceType: 'Patient' });
 * const found = await server.repository.search('Encounter', `subject=Patient/${patient.id}`);
 * ```
 * @category Repository
 */
export interface FhirTestRepository {
  /** Create a resource; the server assigns `id` and `meta`. */
  create<T extends FhirResource>(resource: T): Promise<Stored<T>>;
  /** Read the current version of a resource, or `undefined` when it does not exist or was deleted. */
  read<K extends ResourceType>(resourceType: K, id: string): Promise<Stored<ResourceOf<K>> | undefined>;
  /** Replace a resource (creates it when the id is new). */
  update<T extends FhirResource & { id: string }>(resource: T): Promise<Stored<T>>;
  /** Delete a resource; deleting a missing one is not an error. */
  delete(resourceType: ResourceType, id: string): Promise<void>;
  /** All resources of a type matching a FHIR search query string such as `identifier=sys|val`. */
  search<K extends ResourceType>(
    resourceType: K,
    query?: string | Record<string, string>,
  ): Promise<Stored<ResourceOf<K>>[]>;
  /** Remove every resource and all history. */
  reset(): void;
}

const medplumRepos = new WeakMap<FhirTestRepository, MemoryRepository>();

/** The MemoryRepository behind a repository made by {@link createFhirRepository}. */
export function memoryRepositoryOf(repository: FhirTestRepository): MemoryRepository {
  const repo = medplumRepos.get(repository);
  if (!repo) throw new TypeError('repository was not created by createFhirRepository() from @peer-fhir/server');
  return repo;
}

/**
 * Options of {@link createFhirRepository}.
 * @category Repository
 */
export interface FhirRepositoryOptions {
  /**
   * Keep the data in SQLite: `':memory:'` for a private in-memory database, or a file path (prefer
   * `startFhirServer({ dataDir })`, which also takes the folder's single-writer lock). Default: plain JavaScript maps.
   */
  sqlite?: string;
}

/**
 * Create an empty FHIR store (Medplum's `MemoryRepository` semantics), to share between an
 * embedded server and msw handlers or to seed before either starts. By default it lives in JavaScript maps; with
 * `sqlite` it lives in a SQLite database (the store `peer-fhir serve` uses).
 *
 * @param options - `sqlite`: a database file; omitted, an in-memory database
 * @returns the repository, for seeding and asserting
 * @example
 * ```ts
 * const repository = createFhirRepository();
 * const server = await startFhirServer({ repository });
 * const handlers = createFhirHandlers({ baseUrl: 'https://ehr.example/fhir', repository });
 * const onSqlite = createFhirRepository({ sqlite: ':memory:' });
 * ```
 * @category Repository
 */
export function createFhirRepository(options: FhirRepositoryOptions = {}): FhirTestRepository {
  const repo = new IndexedMemoryRepository(options.sqlite === undefined ? undefined : SqliteStore.open(openSqliteDatabase({ path: options.sqlite })));
  return wrapRepository(repo);
}

/** The public wrapper around a repository (its store already chosen). */
export function wrapRepository(repo: IndexedMemoryRepository): FhirTestRepository {
  const wrapper: FhirTestRepository = {
    async create(resource) {
      return (await repo.createResource(resource as never)) as never;
    },
    async read(resourceType, id) {
      try {
        return (await repo.readResource(resourceType, id)) as never;
      } catch (err) {
        if (err instanceof OperationOutcomeError && (err.outcome.id === 'not-found' || err.outcome.id === 'deleted')) {
          return undefined;
        }
        if (err instanceof OperationOutcomeError && /not found|deleted|gone/i.test(err.message)) return undefined;
        throw err;
      }
    },
    async update(resource) {
      return (await repo.updateResource(resource as never)) as never;
    },
    async delete(resourceType, id) {
      try {
        await repo.deleteResource(resourceType, id);
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
      }
    },
    async search(resourceType, query = '') {
      const params = new URLSearchParams(query);
      const rejection = checkSearchQuery(resourceType, params);
      if (rejection) throw new OperationOutcomeError(rejection.outcome as never);
      const request = parseSearchRequest(`${resourceType}?${params.toString()}`);
      const bundle = await repo.search(request);
      return (bundle.entry ?? []).map((e) => e.resource) as never;
    },
    reset() {
      repo.clear();
    },
  };
  medplumRepos.set(wrapper, repo);
  return wrapper;
}
