/**
 * The encounter stream: month by month, individual contacts and group sessions are scheduled on weekdays in
 * business hours without double-booking a specialist or a participant, then yielded in start order.
 * Only one month is held in memory, so a million encounters stream in constant space (apart from the roster).
 * @module
 */
import type { PeerEncounter } from '@peer-fhir/core';
import { addMonths, formatOffset, fromDay, localDateTime, offsetMinutes, weekday } from './clock.js';
import {
  individualMinutes,
  individualPlace,
  pickActivities,
  pickModality,
  pickSupportTypes,
  type Activity,
  type Modality,
  type Program,
  type Setting,
  type SupportType,
} from './codes.js';
import type { GroupInfo } from './groups.js';
import type { SyntheticAgencyOptions } from './options.js';
import type { ParticipantInfo } from './participants.js';
import { GROUP_NOTES, NOTES } from './phrases.js';
import type { Random } from './random.js';
import { buildRoster, type RosterState } from './roster.js';
import type { SpecialistInfo } from './specialists.js';

/**
 * Options of {@link generateEncounters}: the agency options plus a cap on how many encounters to yield.
 *
 * @example
 * ```ts
 * const options: SyntheticEncounterOptions = { seed: 1, participants: 4000, maxEncounters: 100_000 };
 * ```
 * @category Synthetic data
 */
export interface SyntheticEncounterOptions extends SyntheticAgencyOptions {
  /** Stop after this many encounters. Default: no cap (the whole period). */
  maxEncounters?: number;
}

interface Draft {
  day: number;
  startMinute: number;
  minutes: number;
  specialistIdx: number;
  group: GroupInfo | undefined;
  attendees: { idx: number; goalIds: string[]; note: string | undefined }[];
  modality: Modality;
  setting: Setting;
  placeOfService: string;
  program: Program;
  part2: boolean;
  cancelled: boolean;
  supportTypes: SupportType[];
  activities: Activity[];
}

/** Bookings per (person, day): flat [start, end, start, end, …] minute pairs. */
class Calendar {
  private readonly slots = new Map<number, number[]>();
  free(key: number, start: number, end: number): boolean {
    const s = this.slots.get(key);
    if (!s) return true;
    for (let i = 0; i < s.length; i += 2) if (start < (s[i + 1] as number) && (s[i] as number) < end) return false;
    return true;
  }
  book(key: number, start: number, end: number): void {
    const s = this.slots.get(key);
    if (s) s.push(start, end);
    else this.slots.set(key, [start, end]);
  }
}

const activeFraction = (p: ParticipantInfo, from: number, to: number): number =>
  Math.max(0, Math.min(p.enrollEnd, to) - Math.max(p.enrollStart, from)) / (to - from);

/** Days in [lo, hi) from a sorted list. */
function daysBetween(days: readonly number[], lo: number, hi: number): number[] {
  return days.filter((d) => d >= lo && d < hi);
}

function goalIdsFor(rng: Random, s: RosterState, p: ParticipantInfo, day: number): string[] {
  const span = s.spans.get(p.index)?.find((x) => day >= x.startDay && day < x.endDay);
  if (!span || span.activeGoalIds.length === 0 || !rng.chance(0.85)) return [];
  return rng.sample(span.activeGoalIds, rng.int(1, 2)).sort();
}

/** One month's working state: its weekdays and Saturdays, who is booked when, and how active each participant is. */
interface MonthPlan {
  s: RosterState;
  rng: Random;
  days: number[];
  saturdays: number[];
  specCal: Calendar;
  partCal: Calendar;
  key: (idx: number, day: number) => number;
  active: number[];
  activeSum: number;
  drafts: Draft[];
}

/** A month's group sessions: each group meets on its usual weekday most of the time, with the members who are free. */
function draftGroupSessions(month: MonthPlan): void {
  const { s, rng, days, specCal, partCal, key, active, activeSum, drafts } = month;
  const o = s.options;
  const rate = o.encountersPerParticipantPerMonth;
  const groupTarget = rate * o.groupShare * activeSum;
  for (const g of s.groups) {
    const share = g.memberIdx.reduce((a, i) => a + (active[i] as number), 0) / activeSum;
    const sessions = rng.poisson(groupTarget * share);
    const usualDays = days.filter((d) => weekday(d) === g.record.weekday);
    for (let n = 0, attempt = 0; n < sessions && attempt < sessions * 3; attempt++) {
      const day = usualDays.length > 0 && rng.chance(0.6) ? rng.pick(usualDays) : rng.pick(days);
      const startMinute = g.startMinute + (rng.chance(0.2) ? rng.pick([-15, 15, 30]) : 0);
      const minutes = Math.max(30, Math.min(120, g.minutes + rng.int(-10, 10)));
      const end = startMinute + minutes;
      if (!specCal.free(key(g.facilitatorIdx, day), startMinute, end)) continue;
      const candidates = g.memberIdx.filter((i) => {
        const p = s.participants[i] as ParticipantInfo;
        return day >= p.enrollStart && day < p.enrollEnd && partCal.free(key(i, day), startMinute, end);
      });
      if (candidates.length < 2) continue;
      n++;
      const size = Math.max(2, Math.min(14, Math.round(candidates.length * (0.35 + 0.5 * rng.next()))));
      const chosen = rng.sample(candidates, size).sort((a, b) => a - b);
      specCal.book(key(g.facilitatorIdx, day), startMinute, end);
      for (const i of chosen) partCal.book(key(i, day), startMinute, end);
      drafts.push({
        day,
        startMinute,
        minutes,
        specialistIdx: g.facilitatorIdx,
        group: g,
        attendees: chosen.map((i) => ({
          idx: i,
          goalIds: goalIdsFor(rng, s, s.participants[i] as ParticipantInfo, day),
          note: o.notes ? rng.pick(GROUP_NOTES) : undefined,
        })),
        modality: g.record.modality,
        setting: g.record.setting,
        placeOfService: g.record.placeOfService,
        program: g.record.program,
        part2: g.record.part2,
        cancelled: rng.chance(o.cancelledShare),
        supportTypes: pickSupportTypes(rng, true),
        activities: pickActivities(rng, g.record.setting),
      });
    }
  }
}

/** A month's individual contacts of each active participant, placed where both people are free. */
function draftIndividualContacts(month: MonthPlan): void {
  const { s, rng, days, saturdays, specCal, partCal, key, active, drafts } = month;
  const o = s.options;
  const rate = o.encountersPerParticipantPerMonth;
  const individualRate = rate * (1 - o.groupShare);
  for (const p of s.participants) {
    const f = active[p.index] as number;
    if (f === 0) continue;
    const myDays = daysBetween(days, p.enrollStart, p.enrollEnd);
    const mySaturdays = daysBetween(saturdays, p.enrollStart, p.enrollEnd);
    if (myDays.length === 0) continue;
    const compatible = s.byProgram[p.enrollment.program];
    const count = rng.poisson(individualRate * f);
    for (let n = 0; n < count; n++) {
      const minutes = individualMinutes(rng);
      const specialistIdx = rng.chance(0.85) ? p.specialistIdx : rng.pick(compatible);
      // A few tries to find a slot both people have free; a contact that cannot be placed is dropped.
      for (let attempt = 0; attempt < 6; attempt++) {
        const day = mySaturdays.length > 0 && rng.chance(0.04) ? rng.pick(mySaturdays) : rng.pick(myDays);
        const latest = Math.max(8 * 60, 18 * 60 - minutes);
        const startMinute = rng.chance(0.6) ? 8 * 60 + 15 * rng.int(0, Math.floor((latest - 8 * 60) / 15)) : rng.int(8 * 60, latest);
        const end = startMinute + minutes;
        if (!specCal.free(key(specialistIdx, day), startMinute, end) || !partCal.free(key(p.index, day), startMinute, end)) continue;
        specCal.book(key(specialistIdx, day), startMinute, end);
        partCal.book(key(p.index, day), startMinute, end);
        const modality = pickModality(rng);
        const place = individualPlace(rng, modality);
        drafts.push({
          day,
          startMinute,
          minutes,
          specialistIdx,
          group: undefined,
          attendees: [{ idx: p.index, goalIds: goalIdsFor(rng, s, p, day), note: o.notes ? rng.pick(NOTES) : undefined }],
          modality,
          setting: place.setting,
          placeOfService: place.placeOfService,
          program: p.enrollment.program,
          part2: p.enrollment.part2,
          cancelled: rng.chance(o.cancelledShare),
          supportTypes: pickSupportTypes(rng, false),
          activities: pickActivities(rng, place.setting),
        });
        break;
      }
    }
  }
}

function draftMonth(s: RosterState, rng: Random, mStart: number, mEnd: number): Draft[] {
  const days: number[] = [];
  const saturdays: number[] = [];
  for (let d = mStart; d < mEnd; d++) {
    const wd = weekday(d);
    if (wd >= 1 && wd <= 5) days.push(d);
    else if (wd === 6) saturdays.push(d);
  }
  const drafts: Draft[] = [];
  if (days.length === 0) return drafts;
  const active = s.participants.map((p) => activeFraction(p, mStart, mEnd));
  const activeSum = active.reduce((a, b) => a + b, 0);
  if (activeSum === 0) return drafts;
  const key = (idx: number, day: number): number => idx * 64 + (day - mStart);
  const month: MonthPlan = { s, rng, days, saturdays, specCal: new Calendar(), partCal: new Calendar(), key, active, activeSum, drafts };
  // Group sessions first: they keep their usual slot; individual contacts fit around them.
  draftGroupSessions(month);
  draftIndividualContacts(month);
  drafts.sort(
    (a, b) =>
      a.day - b.day ||
      a.startMinute - b.startMinute ||
      a.specialistIdx - b.specialistIdx ||
      (a.attendees[0]?.idx ?? 0) - (b.attendees[0]?.idx ?? 0),
  );
  return drafts;
}

function materialise(s: RosterState, d: Draft, seq: number, date: string, offset: string): PeerEncounter {
  const specialist = (s.specialists[d.specialistIdx] as SpecialistInfo).record;
  const attendees: PeerEncounter['attendees'] = [];
  for (const a of d.attendees) {
    const p = s.participants[a.idx] as ParticipantInfo;
    const attendee: PeerEncounter['attendees'][number] = { participantId: p.record.id, diagnoses: p.enrollment.diagnoses.slice(), goalIds: a.goalIds };
    if (a.note !== undefined) attendee.note = a.note;
    attendees.push(attendee);
  }
  // Optional keys are added only when present so records survive a JSON round trip unchanged.
  const enc: PeerEncounter = {
    id: `enc-${String(seq).padStart(6, '0')}`,
    mode: d.group ? 'group' : 'individual',
    attendees,
    status: d.cancelled ? 'cancelled' : 'finished',
    specialistNpi: specialist.npi,
    organizationNpi: s.roster.organization.npi,
    start: localDateTime(date, d.startMinute, offset),
    end: localDateTime(date, d.startMinute + d.minutes, offset),
    modality: d.modality,
    setting: d.setting,
    program: d.program,
    supportTypes: d.supportTypes,
    activities: d.activities,
    placeOfService: d.placeOfService,
    serviceCode: 'H0038',
    part2: d.part2,
  };
  if (d.group) enc.groupId = d.group.record.id;
  if (specialist.supervisor) enc.supervisorNpi = specialist.supervisor.npi;
  return enc;
}

/** Encounters of an already built roster. @internal */
export function* encountersOf(s: RosterState, maxEncounters = Number.POSITIVE_INFINITY): Generator<PeerEncounter, void, undefined> {
  const o = s.options;
  let seq = 0;
  for (let m = 0; m < o.months; m++) {
    const mStart = addMonths(o.startDay, m);
    const mEnd = Math.min(addMonths(o.startDay, m + 1), o.endDay);
    const drafts = draftMonth(s, s.root.fork(`encounters-${m}`), mStart, mEnd);
    const dates = new Map<number, [string, string]>();
    for (const d of drafts) {
      if (seq >= maxEncounters) return;
      let dt = dates.get(d.day);
      if (!dt) dates.set(d.day, (dt = [fromDay(d.day), formatOffset(offsetMinutes(o.state.zone, d.day))]));
      seq++;
      yield materialise(s, d, seq, dt[0], dt[1]);
    }
  }
}

/**
 * Stream an agency's encounters in start order, one month buffered at a time, for benchmarks of 100k–1M records.
 * Yields exactly the `encounters` of {@link generateAgency} with the same options (up to `maxEncounters`).
 *
 * @param options - seed, size and period of the synthetic agency, and an optional cap on the count
 * @returns the agency's encounters, month by month (a generator: nothing is held in memory)
 * @example
 * ```ts
 * let n = 0;
 * for (const enc of generateEncounters({ seed: 1, participants: 4000, maxEncounters: 100_000 })) n += enc.attendees.length;
 * ```
 * @category Synthetic data
 */
export function* generateEncounters(options: SyntheticEncounterOptions): Generator<PeerEncounter, void, undefined> {
  const { maxEncounters, ...agency } = options;
  if (maxEncounters !== undefined && !(maxEncounters >= 0)) throw new RangeError('maxEncounters must be >= 0');
  yield* encountersOf(buildRoster(agency), maxEncounters);
}
