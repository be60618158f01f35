/**
 * Peer specialists with state credentials, endorsements matching the programs they serve, and supervisors.
 * @module
 */
import type { Clinician, Credential, PeerSpecialist } from '@peer-fhir/core';
import { addMonths, fromDay } from './clock.js';
import type { Program } from './codes.js';
import { personName } from './names.js';
import type { NpiMinter } from './npi.js';
import type { ResolvedOptions } from './options.js';
import { exactShare, type Random } from './random.js';

/** A specialist with the programs their endorsements allow. @internal */
export interface SpecialistInfo {
  record: PeerSpecialist;
  programs: readonly Program[];
}

type Focus = 'MH' | 'SUD' | 'both';
const FOCI: readonly Focus[] = ['both', 'MH', 'SUD'];
const PROGRAMS_OF: Record<Focus, readonly Program[]> = {
  MH: ['mental-health'],
  SUD: ['substance-use'],
  both: ['mental-health', 'substance-use', 'co-occurring'],
};

/** Specialists; the first always holds both endorsements so every program has someone. */
export function makeSpecialists(
  rng: Random,
  npis: NpiMinter,
  o: ResolvedOptions,
  organizationNpi: string,
  supervisors: readonly Clinician[],
): SpecialistInfo[] {
  const expiring = exactShare(rng, o.specialists, o.expiredCredentialShare);
  const unsupervised = exactShare(rng, o.specialists, o.unsupervisedShare);
  const periodDays = o.endDay - o.startDay;
  return Array.from({ length: o.specialists }, (_, i) => {
    const focus = FOCI[i % FOCI.length] as Focus;
    const gender = rng.weighted({ female: 55, male: 42, other: 3 });
    const issued = o.startDay - rng.int(200, 8 * 365);
    let expires: number | undefined;
    if (expiring.has(i)) {
      // Lapses inside the period, away from its edges, and is not renewed.
      const margin = Math.min(30, Math.floor(periodDays / 4));
      expires = Math.max(issued + 1, o.startDay + rng.int(margin, periodDays - margin));
    } else if (rng.chance(0.9)) {
      expires = Math.max(addMonths(o.endDay, rng.int(1, 24)), issued + 1);
    }
    const c = o.state.credentials;
    const primary: Credential = {
      kind: focus === 'SUD' ? c.sud : c.mh,
      state: o.state.code,
      number: `${o.state.code}-${rng.digits(5)}`,
      issuer: c.issuer,
      issued: fromDay(issued),
      ...(expires === undefined ? {} : { expires: fromDay(expires) }),
      endorsements: focus === 'both' ? ['MH', 'SUD'] : [focus],
    };
    const credentials: Credential[] = [primary];
    if (!expiring.has(i) && rng.chance(0.35)) {
      const issued2 = o.startDay - rng.int(100, 5 * 365);
      credentials.push({
        kind: focus === 'MH' ? 'CPRS' : 'NCPRSS',
        state: o.state.code,
        number: `${focus === 'MH' ? 'CPRS' : 'NCPRSS'}-${rng.digits(6)}`,
        issuer: focus === 'MH' ? 'IC&RC member board (synthetic)' : 'NAADAC (synthetic)',
        issued: fromDay(issued2),
        expires: fromDay(addMonths(o.endDay, rng.int(2, 30))),
        endorsements: focus === 'MH' ? ['MH', rng.pick(['youth', 'family', 'forensic'] as const)] : ['SUD'],
      });
    }
    const record: PeerSpecialist = {
      npi: npis.next(),
      name: personName(rng, gender),
      credentials,
      ...(unsupervised.has(i) ? {} : { supervisor: supervisors[i % supervisors.length] as Clinician }),
      organizationNpi,
    };
    return { record, programs: PROGRAMS_OF[focus] };
  });
}

/** Indexes of the specialists whose endorsements cover each program (never empty: specialist 0 covers all). @internal */
export function specialistsByProgram(specialists: readonly SpecialistInfo[]): Record<Program, number[]> {
  const out: Record<Program, number[]> = { 'mental-health': [], 'substance-use': [], 'co-occurring': [] };
  specialists.forEach((s, k) => {
    for (const program of s.programs) out[program].push(k);
  });
  return out;
}
