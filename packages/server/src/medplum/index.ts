/**
 * Everything the embedded server relies on in Medplum beyond its documented public API, in one place. The rest of the
 * server imports these things from here only (`test/medplum-assumptions.test.ts` checks that no file outside this
 * folder reaches into them). Written against **@medplum/core 4.5.2 and @medplum/fhir-router 4.5.2**, both pinned
 * exactly in packages/server/package.json. Each assumption below has a test in
 * `packages/server/test/medplum-assumptions.test.ts` (named after it) that fails when an upgrade breaks it; on such
 * a failure, read the new Medplum source for that one point and change the file named here.
 *
 * - **A1 versions.** The installed @medplum/core and @medplum/fhir-router are 4.5.2 (test: "A1").
 * - **A2 private maps.** A `MemoryRepository` keeps its data in two own fields, `resources` (type -> id -> current
 *   version) and `history` (type -> id -> versions, oldest first), plain Maps, declared `private readonly` but
 *   writable at runtime. `memory-repository.ts` reads them (`storeMapsOf`) and replaces them with our stores
 *   (`StoreBackedRepository`): the indexed maps of `../indexed-repository.ts`, the SQLite views of `../sqlite-store.ts`.
 * - **A3 map protocol.** `MemoryRepository` touches those maps only with the calls `MEDPLUM_MAP_CALLS` lists (a type's
 *   map, and a resource's version list, are created only after `get` answered undefined), and its `search` reads
 *   nothing but `this.resources`. The two stores answer exactly those calls (their `get` never answers undefined, so
 *   Medplum never creates a map of its own); `medplumSortOrder` runs Medplum's `search` on a stand-in holding only the
 *   matches, to borrow its FHIRPath sort (`sortComparator` is not exported).
 * - **A4 search.** `search` is a prototype method taking the search request, and everything that looks resources up
 *   (`searchResources`, `searchOne`, conditional create/update/delete, batches) calls `this.search`:
 *   `StoreBackedRepository` replaces it once on its prototype with the planned, indexed search (`../search-plan.ts`).
 * - **A5 history order.** `readHistory` reverses the stored version list in place (its order flips on every call):
 *   `versionsOf` reads the list instead.
 * - **A6 createResource.** `createResource` stores `JSON.parse(stringify(resource))` (empty values removed), an id from
 *   `this.generateId()` (a prototype method: `IndexedMemoryRepository` draws ids from `../random-id.ts`), a new
 *   `meta.versionId` and `meta.lastUpdated`, and appends the stored object to the history. `create-resource.ts`
 *   (`storeOwned`) does the same without the two JSON copies, for objects only the server holds.
 * - **A7 create-only batches.** `BatchProcessor` resolves every entry's identity first (the one If-None-Exist match,
 *   else `generateId()`), then rewrites in each string the first local reference matching its pattern
 *   `urn(:|%3A)uuid(:|%3A)<uuid>` (every occurrence of it), runs the conditional create and answers
 *   `{ response: { outcome, status, location }, resource }`. `batch-creates.ts` does the same on the parsed request
 *   body, without Medplum's per-entry deep copies.
 * - **A8 router.** `FhirRouter.handleRequest` throws when `pathname` is set (the route comes from `url`); it refuses a
 *   transaction of more than 8 entries holding a conditional entry ("requires strict isolation"), and
 *   `MemoryRepository.withTransaction` does not roll back. `router.ts` makes the one call; `../handle-request.ts`
 *   sends a transaction's entries as a batch inside our write journal (or SQLite savepoint), which rolls back. Its
 *   type-level search route only calls the repository's `search` with `parseSearchRequest(type, query)` (the query's
 *   parameters collected one value: string, several: array) and answers the Bundle as it is: `searchRequestOf` builds
 *   the same request, so `../handle-request.ts` answers a search on the SQLite store without the router, copying the
 *   stored JSON texts into the response instead of parsing and serialising each resource.
 *
 * Medplum behaviours the server corrects through the public API (no internals; code and tests in
 * `../handle-request.ts` and the server tests): a bare `If-Match: 3` is ignored by Medplum (quoted first);
 * update-as-create answers 200 (201 here); a conditional create matching several resources takes the first (412
 * here); a client-supplied id on create is kept (stripped here). The profile validator's workarounds of
 * @medplum/core's validator are fenced the same way in `../validation/medplum-profiles.ts` (a separate entry point,
 * `@peer-fhir/server/validation`, so it does not load the store), pinned by `test/profile-validation-assumptions.test.ts`.
 */
export { medplumSortOrder, MEDPLUM_MAP_CALLS, StoreBackedRepository, storeMapsOf, versionsOf, type StoreMaps } from './memory-repository.js';
export { storeOwned } from './create-resource.js';
export { isCreateOnly, processCreates, type StoredMatches } from './batch-creates.js';
export { routeRequest, searchRequestOf, type RouterRequest } from './router.js';
