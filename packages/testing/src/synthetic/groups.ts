/**
 * Standing peer groups: each serves one program (and Part 2 status, so Part 2 records never mix with others),
 * has a facilitator, a usual weekday and time, and members drawn from that program's participants.
 * @module
 */
import { inPersonPos, type Modality, type Program, type Setting } from './codes.js';
import type { ParticipantInfo } from './participants.js';
import type { Random } from './random.js';
import { specialistsByProgram, type SpecialistInfo } from './specialists.js';

/**
 * A standing peer support group; its sessions are the group encounters that carry its id.
 *
 * @example
 * ```ts
 * const g: SyntheticPeerGroup = { id: 'grp-0001', name: 'Tuesday Recovery Circle', program: 'substance-use', part2: true,
 *   facilitatorNpi: '1245319599', memberIds: ['p-0001', 'p-0004'], weekday: 2, startTime: '10:00',
 *   modality: 'in-person', setting: 'clinic', placeOfService: '53' };
 * ```
 * @category Synthetic data
 */
export interface SyntheticPeerGroup {
  id: string;
  name: string;
  program: Program;
  part2: boolean;
  facilitatorNpi: string;
  memberIds: string[];
  /** Usual day, 1 = Monday … 5 = Friday. */
  weekday: number;
  /** Usual local start time `hh:mm`. */
  startTime: string;
  modality: Modality;
  setting: Setting;
  placeOfService: string;
}

/** A group with indexes the encounter generator needs. @internal */
export interface GroupInfo {
  record: SyntheticPeerGroup;
  facilitatorIdx: number;
  memberIdx: number[];
  startMinute: number;
  /** Usual length in minutes. */
  minutes: number;
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const KIND: Record<Program, string> = {
  'mental-health': 'Wellness Group',
  'substance-use': 'Recovery Circle',
  'co-occurring': 'Dual Recovery Group',
};
const START_MINUTES = [9 * 60, 10 * 60, 10 * 60 + 30, 13 * 60, 14 * 60, 15 * 60 + 30, 17 * 60] as const;
/** A group of at most this many members, so sessions stay within 2–14 attendees. */
const MAX_MEMBERS = 14;

export function makeGroups(rng: Random, participants: readonly ParticipantInfo[], specialists: readonly SpecialistInfo[]): GroupInfo[] {
  const tracks = new Map<string, ParticipantInfo[]>();
  for (const p of participants) {
    const key = `${p.enrollment.program}|${p.enrollment.part2}`;
    let list = tracks.get(key);
    if (!list) tracks.set(key, (list = []));
    list.push(p);
  }
  const groups: GroupInfo[] = [];
  const byProgram = specialistsByProgram(specialists);
  for (const members of tracks.values()) {
    if (members.length < 2) continue;
    const first = members[0] as ParticipantInfo;
    const program = first.enrollment.program;
    const count = Math.ceil(members.length / MAX_MEMBERS);
    const split: number[][] = Array.from({ length: count }, () => []);
    members.forEach((p, j) => (split[j % count] as number[]).push(p.index));
    for (const memberIdx of split) {
      if (memberIdx.length < 2) continue;
      const facilitatorIdx = rng.pick(byProgram[program]);
      const weekday = rng.int(1, 5);
      const startMinute = rng.pick(START_MINUTES);
      const video = rng.chance(0.15);
      const setting: Setting = video ? 'clinic' : rng.weighted({ clinic: 45, 'peer-run-center': 25, community: 15, 'shelter-housing': 8, 'correctional-reentry': 7 });
      const id = `grp-${String(groups.length + 1).padStart(4, '0')}`;
      groups.push({
        record: {
          id,
          name: `${DAY_NAMES[weekday]} ${KIND[program]}`,
          program,
          part2: first.enrollment.part2,
          facilitatorNpi: (specialists[facilitatorIdx] as SpecialistInfo).record.npi,
          memberIds: memberIdx.map((i) => (participants[i] as ParticipantInfo).record.id),
          weekday,
          startTime: `${String(Math.floor(startMinute / 60)).padStart(2, '0')}:${String(startMinute % 60).padStart(2, '0')}`,
          modality: video ? 'video' : 'in-person',
          setting,
          // Video groups: participants join from home or elsewhere; the facility-side telehealth code is used.
          placeOfService: video ? '02' : inPersonPos(rng, setting),
        },
        facilitatorIdx,
        memberIdx,
        startMinute,
        minutes: rng.pick([60, 60, 90, 90, 75, 120]),
      });
    }
  }
  return groups;
}
