/**
 * The whole synthetic agency in one call.
 * @module
 */
import type { PeerEncounter } from '@peer-fhir/core';
import { encountersOf } from './encounters.js';
import type { SyntheticAgencyOptions } from './options.js';
import { buildRoster, type SyntheticRoster } from './roster.js';

/**
 * A synthetic peer-support agency: its roster and every encounter of the period, in start order.
 *
 * @example
 * ```ts
 * const agency: SyntheticAgency = generateAgency({ seed: 1 });
 * agency.encounters[0]?.id; // 'enc-000001'
 * ```
 * @category Synthetic data
 */
export interface SyntheticAgency extends SyntheticRoster {
  encounters: PeerEncounter[];
}

/**
 * Generate a deterministic synthetic agency: the same options always give a deep-equal result.
 * Every record passes its @peer-fhir/core schema; names, ids and member numbers are fictional.
 *
 * @param options - seed, size and period of the synthetic agency
 * @returns the agency: organization, staff, participants and encounters
 * @example
 * ```ts
 * const agency = generateAgency({ seed: 42, state: 'NC', months: 12, participants: 40 });
 * const part2 = agency.encounters.filter((e) => e.part2).length;
 * ```
 * @category Synthetic data
 */
export function generateAgency(options: SyntheticAgencyOptions): SyntheticAgency {
  const state = buildRoster(options);
  return { ...state.roster, encounters: [...encountersOf(state)] };
}
