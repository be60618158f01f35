/**
 * The whole US Core 6.1.0 package vendored as a test fixture (test/fixtures/fhir-packages/README.md), read with the
 * package reader of `@peer-fhir/server/validation`: tests that need every US Core StructureDefinition (must-support
 * flags of all profiles, the provenance check) read it from here.
 */
import { readFileSync } from 'node:fs';
import { readFhirPackage as readPackageBytes, type FhirPackage } from '@peer-fhir/server/validation';

/** The US Core 6.1.0 package vendored as a test fixture. */
export const US_CORE_PACKAGE = new URL('../fixtures/fhir-packages/hl7.fhir.us.core-6.1.0.tgz', import.meta.url);

export type { FhirPackage };

let cached: FhirPackage | undefined;

/** The vendored US Core package (read once). */
export function readFhirPackage(): FhirPackage {
  return (cached ??= readPackageBytes(readFileSync(US_CORE_PACKAGE)));
}
