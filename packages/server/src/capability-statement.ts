import { getResourceTypes, getSearchParameters } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';
import { PROVENANCE_TARGET } from './revinclude.js';

const UNSERVED_TYPES = new Set(['Bundle', 'Binary', 'Parameters', 'DomainResource', 'Resource']);
let resources: CapabilityStatementRestResource[] | undefined;

/** Bulk Data Access IG v2 operations (https://hl7.org/fhir/uv/bulkdata/STU2/OperationDefinition-export.html). */
const BULK = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition';
const BULK_OPERATIONS: Record<string, { name: string; definition: string }> = {
  Patient: { name: 'export', definition: `${BULK}/patient-export` },
  Group: { name: 'export', definition: `${BULK}/group-export` },
};

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
      searchRevInclude: [PROVENANCE_TARGET],
      searchParam: Object.entries(getSearchParameters(type) ?? {})
        .filter(([name, p]) => name !== '_compartment' && p.type !== 'composite' && p.type !== 'special')
        .map(([name, p]) => ({ name, type: p.type, ...(p.url ? { definition: p.url } : {}) })),
      ...(BULK_OPERATIONS[type] ? { operation: [BULK_OPERATIONS[type]] } : {}),
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
      description: `In-memory FHIR R4 test server. Searches are paged (_count default ${DEFAULT_PAGE_SIZE}, max ${MAX_PAGE_SIZE}); _revinclude=Provenance:target is served; _include, other _revinclude values, chaining and compartments are refused with 501.`,
      url: baseUrl,
    },
    instantiates: ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'],
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        resource: restResources(),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        operation: [{ name: 'export', definition: `${BULK}/export` }],
      },
    ],
  };
}
