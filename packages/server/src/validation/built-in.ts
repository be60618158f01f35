import { existsSync, readFileSync } from 'node:fs';
import type { StructureDefinition } from 'fhir/r4.js';
import { structureDefinitions as peerFhirStructureDefinitions } from '@peer-fhir/core/profiles';
import { FhirPackageError } from '../errors.js';
import { loadProfileTypes, loadStructureDefinitions } from './medplum-profiles.js';

/** The US Core StructureDefinitions shipped in this package (see fhir-packages/README.md), relative to its root. */
const US_CORE_FILE = 'fhir-packages/us-core-6.1.0-subset.json';

/**
 * The shipped subset of US Core: the profiles peer-fhir names and the extensions they use, with snapshots (documentation
 * fields removed); and the resource type of every other US Core profile, for reference targets.
 */
interface ShippedUsCore {
  package: { name: string; version: string; license: string; sha256: string };
  types: Record<string, string>;
  structureDefinitions: StructureDefinition[];
}

/** The file next to the built entry (dist/validation/) or the source (src/validation/): both two levels down. */
function shippedFile(): URL {
  for (const up of ['../../', '../']) {
    const url = new URL(`${up}${US_CORE_FILE}`, import.meta.url);
    if (existsSync(url)) return url;
  }
  throw new FhirPackageError('the US Core profiles shipped with @peer-fhir/server are missing: reinstall the package', { file: US_CORE_FILE });
}

let shipped: ShippedUsCore | undefined;

/** The shipped US Core subset, read once. */
export function shippedUsCore(): ShippedUsCore {
  if (shipped) return shipped;
  try {
    shipped = JSON.parse(readFileSync(shippedFile(), 'utf8')) as ShippedUsCore;
  } catch (cause) {
    if (cause instanceof FhirPackageError) throw cause;
    throw new FhirPackageError('the US Core profiles shipped with @peer-fhir/server cannot be read: reinstall the package', { file: US_CORE_FILE }, cause);
  }
  return shipped;
}

let loaded = false;

/** Load US Core 6.1.0 (the shipped subset) and peer-fhir's own profiles and extensions (`@peer-fhir/core/profiles`), once. */
export function loadBuiltInProfiles(): void {
  if (loaded) return;
  const usCore = shippedUsCore();
  loadProfileTypes(usCore.types);
  loadStructureDefinitions(usCore.structureDefinitions);
  loadStructureDefinitions(peerFhirStructureDefinitions());
  loaded = true;
}

/**
 * The canonical URLs of the profiles and extensions {@link validateProfiles} knows without any `packages`: US Core
 * 6.1.0's profiles that peer-fhir names (and the extensions they use), and every peer-fhir profile and extension.
 *
 * @returns canonical URLs, US Core first
 * @example
 * ```ts
 * import { builtInProfileUrls } from '@peer-fhir/server/validation';
 * builtInProfileUrls().includes('http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter'); // true
 * ```
 * @category Profile validation
 */
export function builtInProfileUrls(): string[] {
  return [...shippedUsCore().structureDefinitions, ...peerFhirStructureDefinitions()].map((sd) => sd.url);
}
