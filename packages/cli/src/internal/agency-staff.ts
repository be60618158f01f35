import type { FhirResource, PractitionerRole } from 'fhir/r4.js';
import type { PeerClient } from '@peer-fhir/client';
import { fromFhir, identifierSystems, Systems, type IdentityScope, type Organization, type PeerSpecialist } from '@peer-fhir/core';

/** What was read for one agency's staff, with the counts a command reports. */
export interface AgencyStaff {
  organizations: Organization[];
  specialists: PeerSpecialist[];
  /** Resources read from the server (roles, practitioners, the agency's Organization). */
  read: number;
}

/**
 * One agency's staff: its Organization (by NPI), the PractitionerRoles at that Organization that carry the agency's
 * role identifier, and the Practitioners they name. Nothing of another agency on the same server is read. (Roles are
 * searched by `organization`, not by `identifier=<system>|` with an empty value, which the embedded server's token
 * index does not answer.)
 */
export async function loadAgencyStaff(peer: PeerClient, scope: IdentityScope): Promise<AgencyStaff> {
  const ids = identifierSystems(scope);
  const staff: FhirResource[] = [];
  for await (const r of peer.client.searchAll('Organization', new URLSearchParams({ identifier: `${Systems.NPI}|${scope.agency}` }))) staff.push(r as FhirResource);
  const roles: PractitionerRole[] = [];
  for (const org of staff) {
    for await (const r of peer.client.searchAll('PractitionerRole', new URLSearchParams({ organization: `Organization/${org.id ?? ''}`, _count: '500' }))) {
      const role = r as PractitionerRole;
      if (role.identifier?.some((i) => i.system === ids.practitionerRole)) roles.push(role);
    }
  }
  staff.push(...roles);
  // The peer's Practitioner and the supervisor's (a Reference in an extension of the role).
  const refs = roles.flatMap((r) => [r.practitioner?.reference, ...(r.extension ?? []).map((e) => e.valueReference?.reference)]);
  const practitioners = [...new Set(refs.flatMap((ref) => (ref?.startsWith('Practitioner/') ? [ref.slice('Practitioner/'.length)] : [])))];
  for (let i = 0; i < practitioners.length; i += 100) {
    const chunk = practitioners.slice(i, i + 100);
    for await (const r of peer.client.searchAll('Practitioner', new URLSearchParams({ _id: chunk.join(','), _count: '500' }))) staff.push(r as FhirResource);
  }
  const records = fromFhir(staff, { agency: scope.agency, namespace: scope.namespace });
  return { organizations: records.organizations, specialists: records.specialists, read: staff.length };
}
