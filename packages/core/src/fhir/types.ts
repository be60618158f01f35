/**
 * FHIR R4 helper types every peer-fhir package shares (client, server, testing import them from here).
 * @module
 */
import type { FhirResource, Meta } from 'fhir/r4.js';

/**
 * Every R4 resource type name, e.g. `'Encounter'`.
 *
 * @see https://hl7.org/fhir/R4/resourcelist.html
 * @example
 * ```ts
 * const t: ResourceType = 'Encounter';
 * ```
 * @category Types
 */
export type ResourceType = FhirResource['resourceType'];

/**
 * The R4 resource interface for a type name: `ResourceFor<'Encounter'>` is `Encounter`.
 *
 * @see https://hl7.org/fhir/R4/resourcelist.html
 * @example
 * ```ts
 * const e: ResourceFor<'Encounter'> = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
 * ```
 * @category Types
 */
export type ResourceFor<K extends ResourceType> = Extract<FhirResource, { resourceType: K }>;

/**
 * The same as {@link ResourceFor}, under the name `@peer-fhir/server` and `@peer-fhir/testing` have always used.
 *
 * @see https://hl7.org/fhir/R4/resourcelist.html
 * @example
 * ```ts
 * const p: ResourceOf<'Patient'> = { resourceType: 'Patient' };
 * ```
 * @category Types
 */
export type ResourceOf<K extends ResourceType> = ResourceFor<K>;

/**
 * A resource as a server returns it: `id` and `meta.versionId` are present.
 *
 * This is the server's contract for read/vread/create/update/search results; a server that does not version
 * resources breaks it, and the client's `update()` then sends no `If-Match`.
 * @see https://hl7.org/fhir/R4/http.html#read
 * @see https://hl7.org/fhir/R4/http.html#versioning
 * @example
 * ```ts
 * const enc = { resourceType: 'Encounter', id: '1', status: 'finished', class: { code: 'AMB' }, meta: { versionId: '1' } } satisfies Retrieved<ResourceFor<'Encounter'>>;
 * enc.meta.versionId; // string
 * ```
 * @category Types
 */
export type Retrieved<T extends FhirResource> = T & { id: string; meta: Meta & { versionId: string } };

/**
 * A resource as a server stores it: `id`, `meta.versionId` and `meta.lastUpdated` are set.
 *
 * @see https://hl7.org/fhir/R4/resource.html#Meta
 * @example
 * ```ts
 * const stored = { resourceType: 'Patient', id: '1', meta: { versionId: '1', lastUpdated: '2026-01-01T00:00:00Z' } } satisfies Stored<ResourceFor<'Patient'>>;
 * ```
 * @category Types
 */
export type Stored<T extends FhirResource> = T & {
  id: string;
  meta: NonNullable<T['meta']> & { versionId: string; lastUpdated: string };
};
