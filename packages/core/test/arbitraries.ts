// fast-check arbitraries for domain records: structurally valid, otherwise as varied as the schemas allow.
import fc from 'fast-check';
import { Activities, BirthSexCodes, Endorsements, LifeDomains, Modalities, OmbEthnicityCategories, OmbRaceCategories, Programs, Purposes, Settings, SupportTypes } from '../src/index.js';
import type { ConsentDirective, Organization, Participant, PeerEncounter, PeerSpecialist, RecoveryPlan } from '../src/index.js';

const keys = <T extends object>(o: T) => Object.keys(o) as (keyof T & string)[];

export const npi = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }).map((digits) => {
  let sum = 24;
  for (let i = 8; i >= 0; i--) {
    let d = digits[i]!;
    if ((8 - i) % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.join('') + String((10 - (sum % 10)) % 10);
});

// Built from character sets: regex-driven string generation is too slow for hundreds of runs.
const chars = (set: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...set), { minLength: min, maxLength: max }).map((a) => a.join(''));
const DIGITS = '0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const word = fc.tuple(chars(LETTERS, 1, 1), chars(LETTERS + "' -", 0, 12), chars(LETTERS, 1, 1)).map((p) => p.join(''));
const text = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim().length > 0 && s === s.trim());
const recordId = fc.tuple(chars(LETTERS + DIGITS, 1, 1), chars(LETTERS + DIGITS + '.-', 0, 12)).map((p) => p.join(''));
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const name = fc.record({ family: word, given: fc.array(word, { minLength: 1, maxLength: 3 }) });
const address = fc.record({
  line: fc.array(text, { minLength: 1, maxLength: 2 }),
  city: word,
  state: fc.constantFrom('NC', 'NJ', 'TX', 'OH', 'GA', 'PA'),
  postalCode: fc.oneof(chars(DIGITS, 5, 5), fc.tuple(chars(DIGITS, 5, 5), chars(DIGITS, 4, 4)).map(([a, b]) => `${a}-${b}`)),
});
const phone = fc.tuple(chars(DIGITS, 3, 3), chars(DIGITS, 3, 3), chars(DIGITS, 4, 4)).map(([a, b, c]) => `${a}-${b}-${c}`);
const email = fc.tuple(chars(LETTERS + DIGITS, 1, 10), chars(LETTERS, 1, 8)).map(([u, d]) => `${u}@${d}.example.org`);
const offset = fc.constantFrom('Z', '-05:00', '-04:00', '+01:00');

export const organization: fc.Arbitrary<Organization> = fc.record({
  name: text,
  npi,
  taxId: chars(DIGITS, 9, 9),
  taxonomy: fc.constantFrom('251S00000X', '261QM0801X', '261QR0405X'),
  address,
});

export function specialist(orgNpi: string): fc.Arbitrary<PeerSpecialist> {
  return fc.record(
    {
      npi,
      name,
      credentials: fc.array(
        fc.record(
          {
            kind: fc.constantFrom('CPS', 'CPSS', 'CPRS', 'CRSS', 'NCPRSS', 'Peer Recovery Specialist'),
            state: fc.constantFrom('NC', 'TX'),
            number: chars(UPPER_DIGITS + '-', 1, 12),
            issuer: text,
            issued: fc.constant('2020-01-01'),
            expires: fc.constantFrom('2024-12-31', '2027-06-30'),
            endorsements: fc.uniqueArray(fc.constantFrom(...keys(Endorsements)), { maxLength: 3 }),
          },
          { requiredKeys: ['kind', 'state', 'number', 'issuer', 'issued', 'endorsements'] },
        ),
        { maxLength: 2 },
      ),
      supervisor: fc.record({ npi, name, title: fc.constantFrom('LCSW', 'LPC', 'MD') }, { requiredKeys: ['npi', 'name'] }),
      organizationNpi: fc.constant(orgNpi),
      phone,
      email,
    },
    { requiredKeys: ['npi', 'name', 'credentials', 'organizationNpi'] },
  );
}

export function participant(id: string): fc.Arbitrary<Participant> {
  return fc.record(
    {
      id: fc.constant(id),
      mrn: chars(UPPER_DIGITS, 3, 10),
      medicaidId: chars(UPPER_DIGITS, 6, 12),
      name,
      birthDate: date,
      gender: fc.constantFrom('male', 'female', 'other', 'unknown'),
      address,
      phone,
      email,
      language: fc.constantFrom('en', 'es', 'vi', 'zh-Hant'),
      race: fc.record({ categories: fc.uniqueArray(fc.constantFrom(...keys(OmbRaceCategories)), { minLength: 1, maxLength: 3 }), text }),
      ethnicity: fc.record({ category: fc.constantFrom(...keys(OmbEthnicityCategories)), text }),
      birthSex: fc.constantFrom(...keys(BirthSexCodes)),
      coverages: fc.array(
        fc
          .record(
            {
              payerId: chars(UPPER_DIGITS, 3, 8),
              planName: text,
              memberId: chars(UPPER_DIGITS, 6, 12),
              period: fc.record({ start: fc.constant('2024-01-01'), end: fc.constant('2025-12-31') }, { requiredKeys: ['start'] }),
            },
            { requiredKeys: ['payerId', 'memberId', 'period'] },
          )
          // One payer id has one name across participants (toFhir refuses two names for one payer Organization).
          .map((c) => ({ ...c, payerName: `Payer ${c.payerId}` })),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: ['id', 'name', 'birthDate', 'gender', 'coverages'] },
  ).filter((p) => new Set(p.coverages.map((c) => c.payerId)).size === p.coverages.length);
}

const dx = fc.constantFrom('F11.20', 'F10.20', 'F32.1', 'F41.1', 'F43.10', 'F20.9', 'F31.9', 'Z59.0');

export function encounter(id: string, participantIds: string[], specialistNpi: string, orgNpi: string, goalIds: string[]): fc.Arbitrary<PeerEncounter> {
  const attendee = (pid: string) =>
    fc.record(
      {
        participantId: fc.constant(pid),
        diagnoses: fc.uniqueArray(dx, { maxLength: 4 }),
        goalIds: fc.uniqueArray(fc.constantFrom(...(goalIds.length ? goalIds : ['g-x'])), { maxLength: 2 }),
        note: text,
      },
      { requiredKeys: ['participantId', 'diagnoses', 'goalIds'] },
    );
  const group = participantIds.length >= 2;
  return fc.record(
    {
      id: fc.constant(id),
      mode: fc.constant(group ? ('group' as const) : ('individual' as const)),
      groupId: fc.constant(group ? 'grp-1' : undefined),
      attendees: fc.tuple(...participantIds.map(attendee)),
      status: fc.constantFrom('finished', 'cancelled', 'entered-in-error'),
      specialistNpi: fc.constant(specialistNpi),
      supervisorNpi: npi,
      organizationNpi: fc.constant(orgNpi),
      start: fc.tuple(fc.integer({ min: 0, max: 23 }), offset).map(([h, o]) => `2025-03-10T${String(h).padStart(2, '0')}:15:00${o}`),
      minutes: fc.integer({ min: 1, max: 600 }),
      modality: fc.constantFrom(...keys(Modalities)),
      setting: fc.constantFrom(...keys(Settings)),
      program: fc.constantFrom(...keys(Programs)),
      supportTypes: fc.uniqueArray(fc.constantFrom(...keys(SupportTypes))),
      activities: fc.uniqueArray(fc.constantFrom(...keys(Activities))),
      placeOfService: fc.constantFrom('02', '10', '11', '12', '53', '99'),
      serviceCode: fc.constantFrom('H0038', 'H2014', 'G0140'),
      part2: fc.boolean(),
    },
    { requiredKeys: ['id', 'mode', 'groupId', 'attendees', 'status', 'specialistNpi', 'organizationNpi', 'start', 'minutes', 'modality', 'setting', 'program', 'supportTypes', 'activities', 'placeOfService', 'serviceCode', 'part2'] },
  ).map(({ minutes, groupId, ...e }) => {
    const start = Date.parse(e.start);
    const off = e.start.slice(19);
    const shift = off === 'Z' ? 0 : (off.startsWith('-') ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
    const local = new Date(start + (minutes + shift) * 60_000).toISOString().slice(0, 19);
    return { ...e, ...(groupId ? { groupId } : {}), attendees: [...e.attendees], end: `${local}${off}` } as PeerEncounter;
  });
}

export function plan(participantId: string, peerNpi: string): fc.Arbitrary<RecoveryPlan> {
  return fc
    .record(
      {
        goals: fc.uniqueArray(
          fc.record(
            {
              id: recordId,
              text,
              domain: fc.constantFrom(...keys(LifeDomains)),
              targetDate: fc.constant('2025-09-01'),
              status: fc.constantFrom('proposed', 'active', 'on-hold', 'completed', 'cancelled'),
              achievement: fc.constantFrom('in-progress', 'improving', 'achieved'),
              progressNotes: fc.array(fc.record({ date: fc.constant('2025-02-01'), text, authorNpi: fc.constant(peerNpi) }, { requiredKeys: ['date', 'text'] }), { maxLength: 2 }),
            },
            { requiredKeys: ['id', 'text', 'domain', 'status', 'progressNotes'] },
          ),
          { minLength: 1, maxLength: 4, selector: (g) => g.id },
        ),
        strengths: fc.array(text, { maxLength: 3 }),
        crisisPlan: text,
        clinician: fc.record({ npi, name }),
        signRoles: fc.uniqueArray(fc.constantFrom('participant' as const, 'peer' as const, 'clinician' as const)),
        status: fc.constantFrom('draft', 'active', 'on-hold', 'revoked', 'completed'),
      },
      { requiredKeys: ['goals', 'strengths', 'signRoles', 'status', 'clinician'] },
    )
    .map(({ signRoles, ...p }) => ({
      id: `plan-${participantId}`,
      participantId,
      peerNpi,
      period: { start: '2025-01-02' },
      reviewDue: '2025-07-02',
      ...p,
      signatures: signRoles.map((role, i) => ({ role, signedAt: `2025-01-0${i + 2}T10:00:00-05:00` })),
    }));
}

export function consent(id: string, participantId: string, orgNpi: string): fc.Arbitrary<ConsentDirective> {
  return fc
    .record({
      kind: fc.constantFrom('part2-tpo' as const, 'part2-specific' as const, 'hipaa-authorization' as const),
      recipients: fc.array(
        fc
          .record({ kind: fc.constantFrom('organization' as const, 'practitioner' as const), name: text, npi, personName: name }, { requiredKeys: ['kind', 'name', 'npi'] })
          .map(({ personName, ...r }) => (r.kind === 'practitioner' && personName ? { ...r, personName } : r)),
        { minLength: 1, maxLength: 2 },
      ),
      purposes: fc.uniqueArray(fc.constantFrom(...keys(Purposes)), { minLength: 1 }),
      revoked: fc.boolean(),
    })
    .filter((c) => new Set(c.recipients.map((r) => r.npi)).size === c.recipients.length)
    .map(({ revoked, ...c }) => ({
      id,
      participantId,
      ...c,
      status: revoked ? ('inactive' as const) : ('active' as const),
      ...(revoked ? { revokedAt: '2025-06-01T12:00:00Z' } : {}),
      dataScope: { resourceTypes: [], sensitivities: [] },
      period: { start: '2025-01-01', end: '2026-01-01' },
      signedDate: '2025-01-01',
      disclosingOrganizationNpi: orgNpi,
    }));
}

/** A whole coherent record set: one agency, a peer, 1-3 participants, an encounter, a plan and a consent. */
export const recordSet = organization.chain((org) =>
  specialist(org.npi).chain((peer) =>
    fc.integer({ min: 1, max: 3 }).chain((n) => {
      const ids = Array.from({ length: n }, (_, i) => `p-${i + 1}`);
      return fc.record({
        organizations: fc.constant([org]),
        specialists: fc.constant([peer]),
        participants: fc.tuple(...ids.map(participant)).map((ps) => [...ps]),
        plans: plan('p-1', peer.npi).map((p) => [p]),
        encounters: fc.constant(null),
        consents: consent('c-1', 'p-1', org.npi).map((c) => [c]),
      }).chain((rs) =>
        encounter('enc-1', ids, peer.npi, org.npi, rs.plans[0]!.goals.map((g) => g.id)).map((e) => ({ ...rs, encounters: [e] })),
      );
    }),
  ),
);
