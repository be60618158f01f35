import type { Claim } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';

/**
 * The stored Claims an 835 or 277 names by patient control number (CLP01 / TRN02 = CLM01): searched by identifier as
 * given; when some are not found that way (a payer may upper-case it), every Claim of the identifier system is read
 * and matched ignoring case.
 */
export async function storedClaims(client: PeerFhirClient, claimSystem: string, patientControlNumbers: readonly string[]): Promise<Claim[]> {
  const pcns = [...new Set(patientControlNumbers)];
  const claims: Claim[] = [];
  for (let i = 0; i < pcns.length; i += 50) {
    const chunk = pcns.slice(i, i + 50);
    const params = new URLSearchParams({ identifier: chunk.map((p) => `${claimSystem}|${p}`).join(','), _count: '500' });
    for await (const c of client.searchAll('Claim', params)) claims.push(c);
  }
  const found = new Set(claims.flatMap((c) => (c.identifier ?? []).map((x) => x.value?.toUpperCase())));
  if (pcns.every((p) => found.has(p.toUpperCase()))) return claims;
  const wanted = new Set(pcns.map((p) => p.toUpperCase()));
  const ids = new Set(claims.map((c) => c.id));
  const take = (c: Claim) => {
    if (!ids.has(c.id) && c.identifier?.some((x) => x.system === claimSystem && x.value && wanted.has(x.value.toUpperCase()))) {
      ids.add(c.id);
      claims.push(c);
    }
  };
  // `identifier=system|` (any value in the system, FHIR R4 search 3.1.1.5.10); a server that does not support the
  // empty value answers nothing, and then every Claim is read
  let seen = 0;
  for await (const c of client.searchAll('Claim', new URLSearchParams({ identifier: `${claimSystem}|`, _count: '500' }))) {
    seen++;
    take(c);
  }
  if (seen === 0) for await (const c of client.searchAll('Claim', new URLSearchParams({ _count: '500' }))) take(c);
  return claims;
}
