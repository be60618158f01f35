import { getResourceTypes, getSearchParameters } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';

const UNSERVED_TYPES = new Set(['Bundle', 'Binary', 'Parameters', 'DomainResource', 'Resource']);
let resources: CapabilityStatementRestResource[] | undefined;

function restResources(): CapabilityStatementRestResource[] {
  resources ??= (getResourceTypes() as CapabilityStatementRestResource['type'][])
    .filter((type) => !UNSERVED_TYPES.has(type))
    .map((type) => ({
      type,
      interaction: (['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'] as const).map(
        (code) => ({ code }),
      ),
      versioning: 'versioned' as const,
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalUpdate: true,
      conditionalDelete: 'single' as const,
      searchParam: Object.entries(getSearchParameters(type) ?? {})
        .filter(([name, p]) => name !== '_compartment' && p.type !== 'composite' && p.type !== 'special')
        .map(([name, p]) => ({ name, type: p.type, ...(p.url ? { definition: p.url } : {}) })),
    }));
  return resources;
}

/**
 * The resource types the embedded server stores and searches (those of its CapabilityStatement), without an HTTP round
 * trip: e.g. to walk every stored resource with `repository.search(type)`.
 *
 * @returns the resource types the embedded server serves (those of its CapabilityStatement)
 * @example
 * ```ts
 * for (const type of servedResourceTypes()) for (const r of await server.repository.search(type)) save(r);
 * ```
 * @category Embedded server
 */
export function servedResourceTypes(): CapabilityStatementRestResource['type'][] {
  return restResources().map((r) => r.type);
}

/** The CapabilityStatement served at `GET [base]/metadata` (https://hl7.org/fhir/R4/http.html#capabilities). */
export function capabilityStatement(baseUrl: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2025-01-01',
    kind: 'instance',
    software: { name: '@peer-fhir/testing embedded FHIR server (Medplum fhir-router 4.5.2 MemoryRepository)' },
    implementation: {
      description: `In-memory FHIR R4 test server. Searches are paged (_count default ${DEFAULT_PAGE_SIZE}, max ${MAX_PAGE_SIZE}); _include, _revinclude, chaining and compartments are refused with 501; transactions are not atomic.`,
      url: baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        resource: restResources(),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}
