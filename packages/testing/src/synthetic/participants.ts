/**
 * Participants: demographics, Medicaid coverage, program enrolment, diagnoses and primary specialist.
 * @module
 */
import type { Gender, MedicaidCoverage, Participant } from '@peer-fhir/core';
import { fromDay } from './clock.js';
import { diagnosesFor, type Program } from './codes.js';
import { addressIn, type SyntheticPayer } from './organization.js';
import { personName } from './names.js';
import type { ResolvedOptions } from './options.js';
import { exactShare, type Random } from './random.js';
import { specialistsByProgram, type SpecialistInfo } from './specialists.js';

/**
 * A participant's enrolment in a program: what the generator decided about them beyond the `Participant` record.
 *
 * @example
 * ```ts
 * const e: SyntheticEnrollment = { participantId: 'p-0001', program: 'substance-use', part2: true,
 *   specialistNpi: '1245319599', diagnoses: ['F11.20'], period: { start: '2024-11-04' } };
 * ```
 * @category Synthetic data
 */
export interface SyntheticEnrollment {
  participantId: string;
  program: Program;
  /** True when the program is a 42 CFR Part 2 program. */
  part2: boolean;
  /** The primary peer specialist. */
  specialistNpi: string;
  /** ICD-10-CM codes, principal first. */
  diagnoses: string[];
  /** Enrolment period; `end` is the last day of service when the participant was discharged. */
  period: { start: string; end?: string };
}

/** A participant with the day numbers the encounter generator needs. @internal */
export interface ParticipantInfo {
  index: number;
  record: Participant;
  enrollment: SyntheticEnrollment;
  specialistIdx: number;
  /** First day of service. */
  enrollStart: number;
  /** Exclusive: first day without service. */
  enrollEnd: number;
}

/** `p-0001` for index 0. */
export const participantId = (i: number): string => `p-${String(i + 1).padStart(4, '0')}`;

function ageYears(rng: Random, young: boolean): number {
  if (young) return rng.int(18, 20);
  const r = rng.next();
  if (r < 0.7) return rng.int(25, 55);
  if (r < 0.85) return rng.int(21, 24);
  return rng.int(56, 75);
}

export function makeParticipants(
  rng: Random,
  o: ResolvedOptions,
  payers: readonly SyntheticPayer[],
  specialists: readonly SpecialistInfo[],
): ParticipantInfo[] {
  const n = o.participants;
  const programs: Program[] = Array.from({ length: n }, () =>
    rng.weighted({ 'mental-health': 40, 'substance-use': 35, 'co-occurring': 25 } satisfies Record<Program, number>),
  );
  // part2Share is a share of all participants; only SUD and co-occurring programs can be Part 2 (42 CFR 2.11).
  const sudIdx = programs.flatMap((p, i) => (p === 'mental-health' ? [] : [i]));
  const part2Picks = exactShare(rng, sudIdx.length, sudIdx.length === 0 ? 0 : Math.min(1, (o.part2Share * n) / sudIdx.length));
  const part2 = new Set([...part2Picks].map((k) => sudIdx[k] as number));
  const young = exactShare(rng, n, 0.08);
  const coverageEnds = exactShare(rng, n, 0.1);
  const discharged = exactShare(rng, n, 0.12);
  const periodDays = o.endDay - o.startDay;
  const byProgram = specialistsByProgram(specialists);

  return programs.map((program, i) => {
    const id = participantId(i);
    const gender: Gender = rng.weighted({ female: 48, male: 48, other: 3, unknown: 1 });
    const birthDay = o.startDay - Math.floor(ageYears(rng, young.has(i)) * 365.25) - rng.int(0, 360);
    // Existing caseload enrolled before the period; the rest join during its first three quarters.
    const enrollStart = rng.chance(0.55) ? o.startDay - rng.int(1, 300) : o.startDay + rng.int(0, Math.floor(periodDays * 0.75));
    let enrollEnd = o.endDay;
    if (discharged.has(i)) {
      const earliest = Math.max(enrollStart, o.startDay) + 30;
      if (earliest < o.endDay - 1) enrollEnd = rng.int(earliest, o.endDay - 1);
    }

    const memberId = `SYN${rng.digits(9)}`;
    const payer = rng.chance(0.4) ? (payers[0] as SyntheticPayer) : rng.pick(payers.slice(1));
    const covStart = Math.min(enrollStart, o.startDay) - rng.int(30, 700);
    const coverage = (p: SyntheticPayer, start: number, end: number | undefined, member: string): MedicaidCoverage => ({
      payerId: p.payerId,
      payerName: p.payerName,
      ...(p.planName === undefined ? {} : { planName: p.planName }),
      memberId: member,
      period: { start: fromDay(start), ...(end === undefined ? {} : { end: fromDay(end) }) },
    });
    const coverages: MedicaidCoverage[] = [];
    if (coverageEnds.has(i)) {
      const lo = Math.max(enrollStart, o.startDay) + 15;
      const end = lo < o.endDay - 15 ? rng.int(lo, o.endDay - 15) : o.endDay - 1;
      coverages.push(coverage(payer, covStart, end, memberId));
      // Half move to another plan after a gap; the rest lose coverage (a billing edit should catch it).
      if (rng.chance(0.5)) {
        const next = payers.find((p) => p.payerId !== payer.payerId) ?? payer;
        coverages.push(coverage(next, end + rng.int(1, 20), undefined, memberId));
      }
    } else {
      coverages.push(coverage(payer, covStart, undefined, memberId));
    }

    const specialistIdx = rng.pick(byProgram[program]);
    const record: Participant = {
      id,
      mrn: `MRN${rng.digits(6)}`,
      medicaidId: memberId,
      name: personName(rng, gender),
      birthDate: fromDay(birthDay),
      gender,
      ...(rng.chance(0.92) ? { address: addressIn(rng, o.state) } : {}),
      coverages,
    };
    const enrollment: SyntheticEnrollment = {
      participantId: id,
      program,
      part2: part2.has(i),
      specialistNpi: (specialists[specialistIdx] as SpecialistInfo).record.npi,
      diagnoses: diagnosesFor(rng, program),
      period: { start: fromDay(enrollStart), ...(enrollEnd < o.endDay ? { end: fromDay(enrollEnd - 1) } : {}) },
    };
    return { index: i, record, enrollment, specialistIdx, enrollStart, enrollEnd };
  });
}
