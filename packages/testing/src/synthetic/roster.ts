/**
 * Everything about an agency except its encounters: built first, from independent random streams, so the
 * encounter stream can be regenerated (or streamed) from the same seed.
 * @module
 */
import type { Clinician, ConsentDirective, Organization, Participant, PeerSpecialist, RecoveryPlan } from '@peer-fhir/core';
import { makeConsents } from './consents.js';
import { makeGroups, type GroupInfo, type SyntheticPeerGroup } from './groups.js';
import { NpiMinter } from './npi.js';
import { resolveOptions, type ResolvedOptions, type SyntheticAgencyOptions } from './options.js';
import { makeOrganization, makePayers, makeSupervisors, type SyntheticPayer } from './organization.js';
import { makeParticipants, type ParticipantInfo, type SyntheticEnrollment } from './participants.js';
import { makePlans, type PlanSpan } from './plans.js';
import { Random } from './random.js';
import { makeSpecialists, specialistsByProgram, type SpecialistInfo } from './specialists.js';
import type { Program } from './codes.js';

/**
 * A synthetic agency without its encounters: who and what the encounters refer to.
 *
 * @example
 * ```ts
 * const roster = generateRoster({ seed: 1 });
 * roster.participants.length; // 40
 * ```
 * @category Synthetic data
 */
export interface SyntheticRoster {
  organization: Organization;
  payers: SyntheticPayer[];
  specialists: PeerSpecialist[];
  supervisors: Clinician[];
  participants: Participant[];
  /** Program, Part 2 status, primary specialist and diagnoses of each participant (same order as `participants`). */
  enrollments: SyntheticEnrollment[];
  /** Standing peer groups whose sessions are the group encounters. */
  groups: SyntheticPeerGroup[];
  plans: RecoveryPlan[];
  consents: ConsentDirective[];
}

/** The roster with the indexes the encounter generator needs. @internal */
export interface RosterState {
  options: ResolvedOptions;
  root: Random;
  roster: SyntheticRoster;
  specialists: SpecialistInfo[];
  byProgram: Record<Program, number[]>;
  participants: ParticipantInfo[];
  groups: GroupInfo[];
  spans: Map<number, PlanSpan[]>;
}

/** Build the roster and its indexes. @internal */
export function buildRoster(input: SyntheticAgencyOptions): RosterState {
  const o = resolveOptions(input);
  const root = new Random(o.seed);
  const npis = new NpiMinter(root.fork('npi'));
  const organization = makeOrganization(root.fork('organization'), npis, o.state);
  const payers = makePayers(root.fork('payers'), o.state);
  const supervisors = makeSupervisors(root.fork('supervisors'), npis, o.specialists);
  const specialists = makeSpecialists(root.fork('specialists'), npis, o, organization.npi, supervisors);
  const participants = makeParticipants(root.fork('participants'), o, payers, specialists);
  const groups = makeGroups(root.fork('groups'), participants, specialists);
  const { plans, spans } = makePlans(root.fork('plans'), o, participants, specialists);
  const consents = makeConsents(root.fork('consents'), npis, o, participants, organization.npi);
  return {
    options: o,
    root,
    roster: {
      organization,
      payers,
      specialists: specialists.map((s) => s.record),
      supervisors,
      participants: participants.map((p) => p.record),
      enrollments: participants.map((p) => p.enrollment),
      groups: groups.map((g) => g.record),
      plans,
      consents,
    },
    specialists,
    byProgram: specialistsByProgram(specialists),
    participants,
    groups,
    spans,
  };
}

/**
 * Generate an agency's organisation, payers, staff, participants, groups, plans and consents (no encounters).
 *
 * @param options - seed, size and period of the synthetic agency
 * @returns the agency without encounters: organization, staff, participants
 * @example
 * ```ts
 * const { participants, plans } = generateRoster({ seed: 42, state: 'TX' });
 * ```
 * @category Synthetic data
 */
export function generateRoster(options: SyntheticAgencyOptions): SyntheticRoster {
  return buildRoster(options).roster;
}
