import {
  Clinician,
  ConsentDirective,
  encounterMinutes,
  isValidNpi,
  Organization,
  Participant,
  parseOrThrow,
  PeerEncounter,
  PeerSpecialist,
  RecoveryPlan,
} from '@peer-fhir/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateAgency, generateEncounters, generateRoster, npiCheckDigit, Random, type SyntheticAgency } from '../src/synthetic/index.js';

let agency: SyntheticAgency;
beforeAll(() => {
  agency = generateAgency({ seed: 20250101 });
});

const share = <T>(items: readonly T[], pred: (t: T) => boolean): number => items.filter(pred).length / items.length;
const localDate = (ts: string): string => ts.slice(0, 10);
const localMinute = (ts: string): number => Number(ts.slice(11, 13)) * 60 + Number(ts.slice(14, 16));
const addMonthsIso = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
};

describe('determinism', () => {
  it('produces a deep-equal agency for the same seed', () => {
    expect(generateAgency({ seed: 20250101 })).toEqual(agency);
  });

  it('produces a different agency for a different seed', () => {
    const other = generateAgency({ seed: 20250102 });
    expect(other.organization.npi).not.toBe(agency.organization.npi);
    expect(other.encounters.length).not.toBe(0);
  });

  it('repeats the same random sequence for the same seed', () => {
    const a = new Random(7);
    const b = new Random(7);
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
    expect(new Random(7).fork('x').next()).toBe(new Random(7).fork('x').next());
    expect(new Random(7).fork('x').next()).not.toBe(new Random(7).fork('y').next());
  });

  it('gives the roster of generateRoster and the encounters of generateEncounters', () => {
    const { encounters, ...roster } = agency;
    expect(generateRoster({ seed: 20250101 })).toEqual(roster);
    expect([...generateEncounters({ seed: 20250101 })]).toEqual(encounters);
  });
});

describe('every record passes its core schema unchanged', () => {
  it('organization, specialists, supervisors and participants', () => {
    expect(parseOrThrow(Organization, agency.organization, 'Organization')).toEqual(agency.organization);
    for (const s of agency.specialists) expect(parseOrThrow(PeerSpecialist, s, 'PeerSpecialist')).toEqual(s);
    for (const c of agency.supervisors) expect(parseOrThrow(Clinician, c, 'Clinician')).toEqual(c);
    for (const p of agency.participants) expect(parseOrThrow(Participant, p, 'Participant')).toEqual(p);
  });

  it('encounters, plans and consents', () => {
    for (const e of agency.encounters) expect(parseOrThrow(PeerEncounter, e, 'PeerEncounter')).toEqual(e);
    for (const p of agency.plans) expect(parseOrThrow(RecoveryPlan, p, 'RecoveryPlan')).toEqual(p);
    for (const c of agency.consents) expect(parseOrThrow(ConsentDirective, c, 'ConsentDirective')).toEqual(c);
  });

  it('parses for other states, seeds and short periods', () => {
    for (const [seed, state, months] of [[1, 'TX', 3], [2, 'AZ', 1], [3, 'PA', 14], [4, 'HI', 6]] as const) {
      const a = generateAgency({ seed, state, months, participants: 25 });
      for (const e of a.encounters) parseOrThrow(PeerEncounter, e, 'PeerEncounter');
      for (const p of a.plans) parseOrThrow(RecoveryPlan, p, 'RecoveryPlan');
      for (const c of a.consents) parseOrThrow(ConsentDirective, c, 'ConsentDirective');
      for (const s of a.specialists) parseOrThrow(PeerSpecialist, s, 'PeerSpecialist');
      for (const p of a.participants) parseOrThrow(Participant, p, 'Participant');
    }
  });
});

describe('NPIs', () => {
  it('computes the Luhn check digit over the 80840 prefix', () => {
    expect(npiCheckDigit('123456789')).toBe(3);
    expect(isValidNpi(`124531959${npiCheckDigit('124531959')}`)).toBe(true);
  });

  it('mints valid, distinct NPIs for every provider and recipient', () => {
    const npis = [
      agency.organization.npi,
      ...agency.specialists.map((s) => s.npi),
      ...agency.supervisors.map((s) => s.npi),
      ...agency.consents.flatMap((c) => c.recipients.flatMap((r) => (r.npi ? [r.npi] : []))),
    ];
    for (const npi of npis) expect(isValidNpi(npi)).toBe(true);
    const providers = [agency.organization.npi, ...agency.specialists.map((s) => s.npi), ...agency.supervisors.map((s) => s.npi)];
    expect(new Set(providers).size).toBe(providers.length);
  });
});

describe('encounter distributions over a 12-month run', () => {
  it('has about 4 encounters per participant-month', () => {
    expect(agency.encounters.length).toBeGreaterThan(900);
    expect(agency.encounters.length).toBeLessThan(2200);
  });

  it('keeps durations within 5-120 minutes, mostly 30-60, with some under 8 minutes', () => {
    const mins = agency.encounters.map(encounterMinutes);
    expect(Math.min(...mins)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...mins)).toBeLessThanOrEqual(120);
    expect(share(mins, (m) => m < 8)).toBeGreaterThan(0.01);
    expect(share(mins, (m) => m >= 30 && m <= 60)).toBeGreaterThan(0.4);
    expect(mins.some((m) => m > 90)).toBe(true);
  });

  it('makes about 70% individual and 30% group sessions with 2-14 attendees', () => {
    const groups = agency.encounters.filter((e) => e.mode === 'group');
    expect(share(agency.encounters, (e) => e.mode === 'group')).toBeGreaterThan(0.15);
    expect(share(agency.encounters, (e) => e.mode === 'group')).toBeLessThan(0.4);
    for (const g of groups) {
      expect(g.attendees.length).toBeGreaterThanOrEqual(2);
      expect(g.attendees.length).toBeLessThanOrEqual(14);
    }
  });

  it('schedules on weekdays in business hours with the agency offset (EST/EDT for NC)', () => {
    const weekend = share(agency.encounters, (e) => [0, 6].includes(new Date(`${localDate(e.start)}T12:00:00Z`).getUTCDay()));
    expect(weekend).toBeLessThan(0.08);
    expect(agency.encounters.some((e) => new Date(`${localDate(e.start)}T12:00:00Z`).getUTCDay() === 0)).toBe(false);
    for (const e of agency.encounters) {
      expect(localMinute(e.start)).toBeGreaterThanOrEqual(8 * 60);
      expect(localMinute(e.end)).toBeLessThanOrEqual(20 * 60);
      expect(e.start.slice(-6)).toBe(e.end.slice(-6));
      const d = localDate(e.start);
      expect(e.start.slice(-6)).toBe(d >= '2025-03-09' && d < '2025-11-02' ? '-04:00' : '-05:00');
    }
  });

  it('uses the central-time offset for Texas and no daylight time for Arizona', () => {
    const tx = generateAgency({ seed: 5, state: 'TX', participants: 10 }).encounters;
    expect(new Set(tx.map((e) => e.start.slice(-6)))).toEqual(new Set(['-06:00', '-05:00']));
    const az = generateAgency({ seed: 5, state: 'AZ', participants: 10 }).encounters;
    expect(new Set(az.map((e) => e.start.slice(-6)))).toEqual(new Set(['-07:00']));
  });

  it('marks Part 2 only on substance-use and co-occurring encounters, and some are Part 2', () => {
    const part2 = agency.encounters.filter((e) => e.part2);
    expect(part2.length).toBeGreaterThan(0);
    for (const e of part2) expect(['substance-use', 'co-occurring']).toContain(e.program);
    expect(share(agency.enrollments, (e) => e.part2)).toBeCloseTo(0.3, 1);
  });

  it('codes diagnoses by program: F10-F19 for substance use, F20-F48 for mental health, both for co-occurring', () => {
    const sud = (c: string) => /^F1\d\./.test(c);
    const mh = (c: string) => /^F(2\d|3\d|4[0-8])\./.test(c);
    for (const e of agency.encounters) {
      for (const a of e.attendees) {
        expect(a.diagnoses.length).toBeGreaterThan(0);
        if (e.program === 'substance-use') expect(a.diagnoses.every(sud)).toBe(true);
        if (e.program === 'mental-health') expect(a.diagnoses.every(mh)).toBe(true);
        if (e.program === 'co-occurring') expect(a.diagnoses.some(sud) && a.diagnoses.some(mh)).toBe(true);
      }
    }
  });

  it('delivers mostly in person and keeps setting, modality and place of service consistent', () => {
    expect(share(agency.encounters, (e) => e.modality === 'in-person')).toBeGreaterThan(0.6);
    expect(agency.encounters.some((e) => e.modality === 'video')).toBe(true);
    expect(agency.encounters.some((e) => e.modality === 'audio-only')).toBe(true);
    const inPerson: Record<string, string[]> = {
      home: ['12'], community: ['99', '15'], clinic: ['53', '11'], 'emergency-department': ['23'], inpatient: ['21'],
      'shelter-housing': ['04'], 'crisis-stabilization': ['53', '99'], 'correctional-reentry': ['99'], 'peer-run-center': ['99'],
    };
    for (const e of agency.encounters) {
      if (e.modality === 'in-person') expect(inPerson[e.setting]).toContain(e.placeOfService);
      else expect(['02', '10']).toContain(e.placeOfService);
      if (e.modality !== 'in-person' && e.setting === 'home') expect(e.placeOfService).toBe('10');
      expect(e.supportTypes.length).toBeGreaterThan(0);
      expect(e.activities.length).toBeGreaterThan(0);
    }
  });
});

describe('roster realism', () => {
  it('gives specialists 1-2 state credentials, some lapsing during the year, most with a supervisor', () => {
    const lapsed = agency.specialists.filter((s) =>
      s.credentials.every((c) => c.expires !== undefined && c.expires >= '2025-01-01' && c.expires < '2026-01-01'),
    );
    expect(lapsed.length).toBeGreaterThan(0);
    for (const s of agency.specialists) {
      expect(s.credentials.length).toBeGreaterThanOrEqual(1);
      expect(s.credentials.length).toBeLessThanOrEqual(2);
      expect(s.credentials[0]?.kind).toBe('CPSS');
      expect(s.organizationNpi).toBe(agency.organization.npi);
    }
    const unsupervised = agency.specialists.filter((s) => !s.supervisor).length;
    expect(unsupervised).toBeGreaterThan(0);
    expect(unsupervised).toBeLessThan(agency.specialists.length / 2);
  });

  it('uses Texas credential titles with MH and SUD endorsements', () => {
    const { specialists } = generateRoster({ seed: 3, state: 'TX' });
    for (const s of specialists) expect(['MHPS', 'PRSS']).toContain(s.credentials[0]?.kind);
    expect(specialists.flatMap((s) => s.credentials.flatMap((c) => c.endorsements))).toEqual(expect.arrayContaining(['MH', 'SUD']));
  });

  it('endorses each encounter specialist for the encounter program', () => {
    const byNpi = new Map(agency.specialists.map((s) => [s.npi, s]));
    for (const e of agency.encounters) {
      const endorsements = new Set(byNpi.get(e.specialistNpi)?.credentials.flatMap((c) => c.endorsements));
      if (e.program !== 'substance-use') expect(endorsements.has('MH')).toBe(true);
      if (e.program !== 'mental-health') expect(endorsements.has('SUD')).toBe(true);
    }
  });

  it('makes adult participants in the agency state with SYN member ids, a few under 21 and some coverage ending mid-year', () => {
    const ages = agency.participants.map((p) => (Date.parse('2025-01-01') - Date.parse(p.birthDate)) / (365.25 * 86_400_000));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...ages)).toBeLessThan(76);
    expect(ages.some((a) => a < 21)).toBe(true);
    for (const p of agency.participants) {
      expect(p.medicaidId).toMatch(/^SYN\d{9}$/);
      if (p.address) expect(p.address.state).toBe('NC');
      expect(p.coverages.length).toBeGreaterThan(0);
    }
    expect(agency.participants.some((p) => p.coverages.some((c) => c.period.end !== undefined && c.period.end < '2026-01-01'))).toBe(true);
  });

  it('writes plans with 1-4 goals at first, six-monthly reviews, and some gaps: no plan, missing signature, overdue review', () => {
    for (const plan of agency.plans) {
      expect(plan.reviewDue).toBe(addMonthsIso(plan.period.start, 6));
      expect(plan.goals.length).toBeGreaterThanOrEqual(1);
      expect(plan.goals.length).toBeLessThanOrEqual(8);
    }
    expect(share(agency.plans, (p) => p.goals.length <= 4)).toBeGreaterThan(0.8);
    const withPlan = new Set(agency.plans.map((p) => p.participantId));
    expect(withPlan.size).toBeLessThan(agency.participants.length);
    expect(agency.plans.some((p) => !p.signatures.some((s) => s.role === 'participant') || !p.signatures.some((s) => s.role === 'peer'))).toBe(true);
    expect(agency.plans.some((p) => p.status === 'active' && p.reviewDue < '2025-12-31')).toBe(true);
  });

  it('a review is a new plan version carrying the same goals forward: same ids, a later start, every note so far', () => {
    // Goal progress over time (domain.md 3b): one goal, several states. toFhir writes it once, as the latest version
    // states it (docs/mapping.md, "Plan versions"): lossless only if a later version keeps the notes of the earlier.
    const versions = new Map<string, RecoveryPlan[]>();
    for (const p of agency.plans) versions.set(p.participantId, [...(versions.get(p.participantId) ?? []), p]);
    let carried = 0;
    for (const plans of versions.values()) {
      expect(new Set(plans.map((p) => p.period.start)).size).toBe(plans.length);
      for (let i = 1; i < plans.length; i++) {
        const [before, after] = [plans[i - 1]!, plans[i]!];
        expect(after.period.start > before.period.start).toBe(true);
        for (const g of after.goals) {
          const earlier = before.goals.find((x) => x.id === g.id);
          if (!earlier) continue;
          carried++;
          expect(g.text).toBe(earlier.text);
          expect(g.progressNotes.slice(0, earlier.progressNotes.length)).toEqual(earlier.progressNotes);
        }
        // A goal leaves a later version only once it is met.
        for (const g of before.goals) if (!after.goals.some((x) => x.id === g.id)) expect(g.status).toBe('completed');
      }
    }
    expect(carried).toBeGreaterThan(0);
    // Two participants never share a goal id (a Goal has one subject).
    const owner = new Map<string, string>();
    for (const p of agency.plans) for (const g of p.goals) expect(owner.set(g.id, owner.get(g.id) ?? p.participantId).get(g.id)).toBe(p.participantId);
  });

  it('gives most Part 2 participants an active TPO consent, with some expired, revoked or missing, and some HIPAA authorizations', () => {
    const part2 = agency.enrollments.filter((e) => e.part2).map((e) => e.participantId);
    const tpo = agency.consents.filter((c) => c.kind === 'part2-tpo');
    const activeTpo = tpo.filter((c) => c.status === 'active' && (c.period.end ?? '9999') >= '2026-01-01');
    expect(activeTpo.length / part2.length).toBeGreaterThan(0.6);
    expect(tpo.some((c) => c.revokedAt !== undefined && c.status === 'inactive')).toBe(true);
    expect(tpo.some((c) => c.status === 'active' && c.period.end !== undefined && c.period.end < '2025-12-31')).toBe(true);
    expect(part2.some((id) => !tpo.some((c) => c.participantId === id))).toBe(true);
    for (const c of tpo) expect(part2).toContain(c.participantId);
    const hipaa = agency.consents.filter((c) => c.kind === 'hipaa-authorization');
    expect(hipaa.length).toBeGreaterThan(0);
    for (const c of hipaa) expect(c.recipients[0]?.kind).toBe('organization');
  });
});

describe('referential integrity', () => {
  it('numbers encounters enc-000001… in start order', () => {
    agency.encounters.forEach((e, i) => expect(e.id).toBe(`enc-${String(i + 1).padStart(6, '0')}`));
    for (let i = 1; i < agency.encounters.length; i++) {
      const prev = agency.encounters[i - 1] as { start: string };
      expect(Date.parse(prev.start)).toBeLessThanOrEqual(Date.parse((agency.encounters[i] as { start: string }).start));
    }
  });

  it('refers only to participants, specialists, supervisors, groups and goals that exist', () => {
    const participants = new Set(agency.participants.map((p) => p.id));
    const specialists = new Map(agency.specialists.map((s) => [s.npi, s]));
    const groups = new Map(agency.groups.map((g) => [g.id, g]));
    const enrollments = new Map(agency.enrollments.map((e) => [e.participantId, e]));
    const goalsOf = new Map<string, Set<string>>();
    for (const plan of agency.plans) {
      const set = goalsOf.get(plan.participantId) ?? new Set<string>();
      for (const g of plan.goals) set.add(g.id);
      goalsOf.set(plan.participantId, set);
    }
    for (const e of agency.encounters) {
      const specialist = specialists.get(e.specialistNpi);
      expect(specialist).toBeDefined();
      expect(e.supervisorNpi).toBe(specialist?.supervisor?.npi);
      expect(e.organizationNpi).toBe(agency.organization.npi);
      if (e.groupId !== undefined) {
        const g = groups.get(e.groupId);
        expect(g?.program).toBe(e.program);
        expect(g?.part2).toBe(e.part2);
        for (const a of e.attendees) expect(g?.memberIds).toContain(a.participantId);
      }
      for (const a of e.attendees) {
        expect(participants.has(a.participantId)).toBe(true);
        const enrollment = enrollments.get(a.participantId);
        expect(enrollment?.program).toBe(e.program);
        expect(enrollment?.part2).toBe(e.part2);
        expect(localDate(e.start) >= (enrollment?.period.start ?? '')).toBe(true);
        if (enrollment?.period.end) expect(localDate(e.start) <= enrollment.period.end).toBe(true);
        for (const goalId of a.goalIds) expect(goalsOf.get(a.participantId)?.has(goalId)).toBe(true);
      }
    }
    for (const p of agency.plans) expect(participants.has(p.participantId)).toBe(true);
    for (const c of agency.consents) expect(participants.has(c.participantId)).toBe(true);
    expect(agency.encounters.some((e) => e.attendees.some((a) => a.goalIds.length > 0))).toBe(true);
  });

  it('never double-books a specialist or a participant', () => {
    const seen = new Map<string, [number, number][]>();
    const clashes: string[] = [];
    const book = (who: string, s: number, e: number) => {
      const list = seen.get(who) ?? [];
      if (list.some(([a, b]) => s < b && a < e)) clashes.push(who);
      list.push([s, e]);
      seen.set(who, list);
    };
    for (const e of agency.encounters) {
      const s = Date.parse(e.start);
      const end = Date.parse(e.end);
      book(e.specialistNpi, s, end);
      for (const a of e.attendees) book(a.participantId, s, end);
    }
    expect(clashes).toEqual([]);
  });

  it('uses readable stable ids', () => {
    expect(agency.participants[0]?.id).toBe('p-0001');
    expect(agency.plans.every((p) => /^plan-\d{4}(-r\d+)?$/.test(p.id))).toBe(true);
    expect(agency.plans.every((p) => p.goals.every((g) => /^goal-\d{4}-\d+$/.test(g.id)))).toBe(true);
    expect(agency.groups.every((g) => /^grp-\d{4}$/.test(g.id))).toBe(true);
    expect(agency.consents.map((c) => c.id)).toEqual(agency.consents.map((_, i) => `consent-${String(i + 1).padStart(4, '0')}`));
  });
});

describe('generateEncounters', () => {
  it('stops at maxEncounters', () => {
    expect([...generateEncounters({ seed: 9, maxEncounters: 25 })]).toHaveLength(25);
  });

  it('streams 100k encounters without holding them', () => {
    let count = 0;
    let last = '';
    for (const e of generateEncounters({ seed: 11, participants: 1200, encountersPerParticipantPerMonth: 12, maxEncounters: 100_000, notes: false })) {
      count++;
      last = e.id;
    }
    expect(count).toBe(100_000);
    expect(last).toBe('enc-100000');
  });
});

describe('options', () => {
  it('rejects an unknown state, an impossible start date and shares outside 0-1', () => {
    expect(() => generateAgency({ seed: 1, state: 'ZZ' })).toThrow(RangeError);
    expect(() => generateAgency({ seed: 1, start: '2025-02-30' })).toThrow(RangeError);
    expect(() => generateAgency({ seed: 1, part2Share: 1.5 })).toThrow(RangeError);
  });

  it('copes with a one-person agency and a single specialist', () => {
    const a = generateAgency({ seed: 3, participants: 1, specialists: 1 });
    expect(a.groups).toEqual([]);
    expect(a.encounters.every((e) => e.mode === 'individual')).toBe(true);
    for (const e of a.encounters) parseOrThrow(PeerEncounter, e, 'PeerEncounter');
  });

  it('honours counts and period', () => {
    const a = generateAgency({ seed: 2, participants: 12, specialists: 3, start: '2024-07-01', months: 2 });
    expect(a.participants).toHaveLength(12);
    expect(a.specialists).toHaveLength(3);
    for (const e of a.encounters) expect(localDate(e.start) >= '2024-07-01' && localDate(e.start) < '2024-09-01').toBe(true);
  });
});
