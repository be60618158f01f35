import type { Encounter, Location, Reference } from 'fhir/r4.js';
import type { EncounterLocation, PeerEncounter } from '../domain/encounter.js';
import { Profiles } from '../terminology/systems.js';
import type { EntryKey, TransactionBuilder } from './internal/builder.js';
import type { ResourceIndex } from './internal/resolver.js';
import { identifierValue } from './internal/resolver.js';
import { addressFromFhir, addressToFhir, organizationKey } from './organization.js';

/**
 * The named place of an encounter as a US Core Location (identifier scoped to the agency, name, address, the agency as
 * managing organization), referenced from `Encounter.location` (US Core must-support). Encounters without a named
 * place have no `location`: their setting is carried as `class`, the setting extension and the place of service.
 */
export function encounterLocation(b: TransactionBuilder, e: PeerEncounter, idx: number): Encounter['location'] {
  const where = e.location;
  if (!where) return undefined;
  const key: EntryKey = { resourceType: 'Location', search: 'identifier', system: b.ids.location, value: where.id };
  const managing = b.refIfPresent(organizationKey(e.organizationNpi));
  const location: Location = {
    resourceType: 'Location',
    meta: { profile: [Profiles.Location] },
    identifier: [{ system: key.system, value: key.value }],
    status: 'active',
    name: where.name,
    mode: 'instance',
    ...(where.address ? { address: addressToFhir(where.address) } : {}),
    ...(managing ? { managingOrganization: managing } : {}),
  };
  return [{ location: b.add(key, location, `encounters[${idx}].location`) }];
}

/** Read `Encounter.location` back into the domain's named place (undefined when there is none or it is not in the bundle). */
export function encounterLocationFromFhir(index: ResourceIndex, system: string, enc: Encounter): EncounterLocation | Record<string, unknown> | undefined {
  const ref: Reference | undefined = enc.location?.[0]?.location;
  if (!ref) return undefined;
  const location = index.resolve(ref, 'Location');
  if (!location) return undefined;
  const address = addressFromFhir(location.address);
  return { id: identifierValue(location, system), name: location.name, ...(address ? { address } : {}) };
}
