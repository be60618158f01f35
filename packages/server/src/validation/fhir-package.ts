import { gunzipSync } from 'node:zlib';
import type { StructureDefinition } from 'fhir/r4.js';
import { parseTar } from 'nanotar';
import { FhirPackageError } from '../errors.js';

/**
 * A FHIR package (the `.tgz` format HL7 publishes implementation guides in) as the profile validator needs it: the
 * manifest and every StructureDefinition (profiles and extensions).
 *
 * @example
 * ```ts
 * const pkg: FhirPackage = readFhirPackage(readFileSync('hl7.fhir.us.core-6.1.0.tgz'));
 * console.log(pkg.manifest.name, pkg.structureDefinitions.length);
 * ```
 * @see https://hl7.org/fhir/packages.html
 * @category Profile validation
 */
export interface FhirPackage {
  /** `package/package.json`: name, version and licence of the guide. */
  manifest: FhirPackageManifest;
  /** Every `package/StructureDefinition-*.json` of the package. */
  structureDefinitions: StructureDefinition[];
}

/**
 * The fields of a FHIR package manifest (`package/package.json`) peer-fhir reads.
 *
 * @example
 * ```ts
 * const m: FhirPackageManifest = { name: 'hl7.fhir.us.core', version: '6.1.0', license: 'CC0-1.0' };
 * ```
 * @category Profile validation
 */
export interface FhirPackageManifest {
  name: string;
  version: string;
  license?: string;
  fhirVersions?: string[];
}

const decoder = new TextDecoder();

function parseJson(data: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch (cause) {
    throw new FhirPackageError('a file of the FHIR package is not JSON', { file }, cause);
  }
}

/** The files of the archive with their contents. */
function entriesOf(bytes: Uint8Array): { name: string; data?: Uint8Array | undefined }[] {
  try {
    return parseTar(gunzipSync(bytes)) as { name: string; data?: Uint8Array | undefined }[];
  } catch (cause) {
    throw new FhirPackageError('not a FHIR package: the bytes are not a gzip-compressed tar archive', {}, cause);
  }
}

/**
 * Read a FHIR package from its `.tgz` bytes, in memory (nothing is unpacked to disk): the manifest and every
 * StructureDefinition under `package/`. Pass the result to {@link validateProfiles} (`packages`) to validate against
 * an implementation guide peer-fhir does not ship.
 *
 * @param bytes - the package file as published (`<name>-<version>.tgz`)
 * @returns the manifest and the package's StructureDefinitions
 * @throws {@link FhirPackageError} when the bytes are not a gzip'd tar, `package/package.json` is missing, or a
 *   file is not JSON (details name the file)
 * @see https://hl7.org/fhir/packages.html
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { readFhirPackage, validateProfiles } from '@peer-fhir/server/validation';
 * const sdoh = readFhirPackage(readFileSync('hl7.fhir.us.sdoh-clinicalcare-2.2.0.tgz'));
 * const result = validateProfiles(bundle, { packages: [sdoh] });
 * ```
 * @category Profile validation
 */
export function readFhirPackage(bytes: Uint8Array): FhirPackage {
  let manifest: FhirPackageManifest | undefined;
  const structureDefinitions: StructureDefinition[] = [];
  for (const item of entriesOf(bytes)) {
    if (!item.name.startsWith('package/') || !item.name.endsWith('.json') || !item.data) continue;
    const file = item.name.slice('package/'.length);
    if (file === 'package.json') manifest = parseJson(item.data, item.name) as FhirPackageManifest;
    else if (file.startsWith('StructureDefinition-') && !file.includes('/')) structureDefinitions.push(parseJson(item.data, item.name) as StructureDefinition);
  }
  if (!manifest || typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
    throw new FhirPackageError('not a FHIR package: package/package.json with a name and version is missing', { file: 'package/package.json' });
  }
  return { manifest, structureDefinitions };
}
