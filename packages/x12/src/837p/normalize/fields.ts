/** Field readers the 837P normalisation steps share: codings, identifiers, names, addresses and NPIs. */
import type { Address, CodeableConcept, Coding, HumanName, Identifier } from 'fhir/r4.js';
import { isValidNpi } from '@peer-fhir/core';
import type { X12Issue } from '../../errors.js';
import { textElement } from '../../internal/elements.js';
import { clean } from '../../internal/format.js';
import { NPI_SYSTEM } from '../../internal/systems.js';
import type { NormalizedAddress } from '../input.js';
import type { PersonName } from './context.js';

/** The first coding with a code in one of `systems`. */
export const codingIn = (cc: CodeableConcept | undefined, systems: readonly string[]): Coding | undefined =>
  cc?.coding?.find((c) => c.system !== undefined && systems.includes(c.system) && !!c.code);

/** The value of the first identifier with a value in one of `systems`. */
export const identifierIn = (ids: readonly Identifier[] | undefined, systems: readonly string[]): string | undefined =>
  ids?.find((i) => i.system !== undefined && systems.includes(i.system) && !!i.value)?.value;

function pickName(names: readonly HumanName[] | undefined): HumanName | undefined {
  if (!names?.length) return undefined;
  return names.find((n) => n.use === 'official') ?? names.find((n) => n.use !== 'old') ?? names[0];
}

/** NM103/NM104/NM105 from the official (else current, else first) name; undefined after pushing an issue. */
export function personName(names: readonly HumanName[] | undefined, path: string, issues: X12Issue[]): PersonName | undefined {
  // Names are transliterated (José -> JOSE, Łukasz -> LUKASZ, Strauß -> STRAUSS), never identifiers.
  const n = pickName(names);
  const before = issues.length;
  const last = textElement(n?.family ? clean(n.family, 60) : '', `${path}.name.family`, 'NM103', 1, 60, issues);
  const first = n?.given?.[0] !== undefined ? textElement(clean(n.given[0], 35), `${path}.name.given[0]`, 'NM104', 1, 35, issues) : undefined;
  const middle = n?.given?.[1] !== undefined ? textElement(clean(n.given[1], 25), `${path}.name.given[1]`, 'NM105', 1, 25, issues) : undefined;
  if (issues.length > before || !last) return undefined;
  return { last, ...(first ? { first } : {}), ...(middle ? { middle } : {}) };
}

/** N3/N4 from the current physical (else first) address; `zip9` for 2010AA, which needs ZIP+4. */
export function address(
  addresses: readonly Address[] | undefined,
  path: string,
  issues: X12Issue[],
  opts: { required: boolean; zip9: boolean },
): NormalizedAddress | undefined {
  const a = addresses?.find((x) => x.use !== 'old' && x.type !== 'postal') ?? addresses?.[0];
  if (!a) {
    if (opts.required) issues.push({ path: `${path}.address`, message: 'required (N3/N4)' });
    return undefined;
  }
  const before = issues.length;
  const line1 = textElement(a.line?.[0] ? clean(a.line[0], 55) : '', `${path}.address.line[0]`, 'N301', 1, 55, issues) ?? '';
  const city = textElement(a.city ? clean(a.city, 30) : '', `${path}.address.city`, 'N401', 2, 30, issues) ?? '';
  const state = a.state ? clean(a.state) : '';
  if (!/^[A-Z]{2}$/.test(state)) issues.push({ path: `${path}.address.state`, message: 'must be a 2-letter state code (N402)' });
  const zip = (a.postalCode ?? '').replace(/[^0-9]/g, '');
  if (opts.zip9 ? zip.length !== 9 : zip.length !== 5 && zip.length !== 9) {
    issues.push({
      path: `${path}.address.postalCode`,
      message: opts.zip9 ? 'must be a 9-digit ZIP+4 for the billing provider (2010AA N403)' : 'must be a 5- or 9-digit ZIP (N403)',
    });
  }
  if (issues.length > before) return undefined;
  const line2 = a.line?.[1] ? clean(a.line[1], 55) || undefined : undefined;
  return { line1, ...(line2 ? { line2 } : {}), city, state, zip };
}

/** A required, check-digit-valid NPI (NM109 qualifier XX); undefined after pushing an issue. */
export function npiOf(ids: readonly Identifier[] | undefined, path: string, issues: X12Issue[]): string | undefined {
  const npi = identifierIn(ids, [NPI_SYSTEM]);
  if (!npi) {
    issues.push({ path: `${path}.identifier(${NPI_SYSTEM})`, message: 'NPI required' });
    return undefined;
  }
  if (!isValidNpi(npi)) {
    issues.push({ path: `${path}.identifier(${NPI_SYSTEM})`, message: 'NPI must be 10 digits with a valid check digit' });
    return undefined;
  }
  return npi;
}
