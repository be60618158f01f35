/**
 * Reads a FHIR package (the `.tgz` format HL7 publishes IGs in) without unpacking it to disk.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseTar } from 'nanotar';
import type { StructureDefinition } from 'fhir/r4.js';

/** The US Core 6.1.0 package vendored as a test fixture (see test/fixtures/fhir-packages/README.md). */
export const US_CORE_PACKAGE = new URL('../fixtures/fhir-packages/hl7.fhir.us.core-6.1.0.tgz', import.meta.url);

/** What the harness needs from a FHIR package: its manifest and every conformance resource by file name. */
export interface FhirPackage {
  manifest: { name: string; version: string; license?: string; fhirVersions?: string[] };
  files: Map<string, unknown>;
  structureDefinitions: StructureDefinition[];
}

const cache = new Map<string, FhirPackage>();

/** Read `package/*.json` of a FHIR package tarball; cached per path. */
export function readFhirPackage(url: URL = US_CORE_PACKAGE): FhirPackage {
  const hit = cache.get(url.href);
  if (hit) return hit;
  const items = parseTar(gunzipSync(readFileSync(url)));
  const files = new Map<string, unknown>();
  const decoder = new TextDecoder();
  for (const item of items) {
    if (!item.name.startsWith('package/') || !item.name.endsWith('.json') || !item.data) continue;
    files.set(item.name.slice('package/'.length), JSON.parse(decoder.decode(item.data)));
  }
  const manifest = files.get('package.json') as FhirPackage['manifest'];
  const structureDefinitions = [...files.entries()]
    .filter(([name]) => name.startsWith('StructureDefinition-'))
    .map(([, sd]) => sd as StructureDefinition);
  const pkg = { manifest, files, structureDefinitions };
  cache.set(url.href, pkg);
  return pkg;
}
