/**
 * `@peer-fhir/core/profiles` — peer-fhir's own profiles and extensions as FHIR R4 StructureDefinitions (differential
 * and snapshot), to load into a validator or a FHIR server next to US Core 6.1. A separate entry point because the
 * snapshots are large; `@peer-fhir/core` itself does not load them.
 * @packageDocumentation
 */
import type { StructureDefinition } from 'fhir/r4.js';
import snapshots from './snapshots.json' with { type: 'json' };
import { differentialOf, PROFILES_VERSION, withSnapshot } from './structure-definitions.js';
import { extensionSpecs, profileSpecs, type ExtensionSpec, type ProfileSpec } from './specs.js';

export { differentialOf, withSnapshot, PROFILES_VERSION };
export { extensionSpecs, profileSpecs, type ElementSpec, type ExtensionSpec, type ProfileSpec, type TypeSpec } from './specs.js';

const table = snapshots as unknown as Record<string, StructureDefinition['snapshot']>;

function complete(spec: ProfileSpec | ExtensionSpec): StructureDefinition {
  const snapshot = table[spec.url];
  if (!snapshot) throw new Error(`no generated snapshot for ${spec.url}`);
  return { ...differentialOf(spec), snapshot };
}

/**
 * Every peer-fhir StructureDefinition: the profiles (peer-group-encounter, peer-consent, …) and the extensions
 * (peer-setting, goal-addressed, …), each with its differential and a snapshot generated from the base R4 definition.
 *
 * @see https://hl7.org/fhir/R4/structuredefinition.html
 * @example
 * ```ts
 * import { structureDefinitions } from '@peer-fhir/core/profiles';
 * for (const sd of structureDefinitions()) await client.update(sd); // load into a validating server
 * ```
 */
export function structureDefinitions(): StructureDefinition[] {
  return [...profileSpecs, ...extensionSpecs].map(complete);
}

/**
 * The StructureDefinition with this canonical URL, or undefined when it is not a peer-fhir profile or extension.
 *
 * @example
 * ```ts
 * structureDefinition(Profiles.PeerConsent)?.type; // 'Consent'
 * ```
 */
export function structureDefinition(url: string): StructureDefinition | undefined {
  const spec = [...profileSpecs, ...extensionSpecs].find((s) => s.url === url);
  return spec ? complete(spec) : undefined;
}
