// Acceptance 1 (issue 11): over generated resource sets — random patients, random nesting in Bundles, `contained`
// and Parameters, every accepted label spelling and random others, random consent states and periods, random
// recipients and purposes, instants written in random UTC offsets — zero Part 2 resources leave through
// `canDisclose` or `filterDisclosable` without an active consent of *their own patient* covering the recipient and
// purpose at the decision instant. The oracle below is written from 42 CFR 2.31/2.33 and the labelling rules, not
// from the implementation: it knows each generated resource's true patient and each label's true meaning.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Coding } from 'fhir/r4.js';
import { ConsentDirective } from '../src/domain/consent.js';
import { canDisclose, filterDisclosable, type DisclosureRecipient, type PurposeKey } from '../src/consent/can-disclose.js';

const RUNS = process.env.PEER_FHIR_LONG === '1' ? 100_000 : 1_000;
// Reproducible: a fixed default seed, overridable with PEER_FHIR_SEED (an integer); fast-check prints the seed and
// path of a failure, and PEER_FHIR_PATH replays that path (e.g. PEER_FHIR_SEED=-235751575 PEER_FHIR_PATH='92:5:3:…').
// Permitted Part 2 trees are rare (a handful per 1,000 runs), so the not-vacuous check below depends on the seed:
// seeds 1-5 each let some out; 20260101 and 42 let none out at 1,000 runs.
const SEED = process.env.PEER_FHIR_SEED === undefined || process.env.PEER_FHIR_SEED === '' ? 1 : Number(process.env.PEER_FHIR_SEED);
if (!Number.isInteger(SEED)) throw new Error(`PEER_FHIR_SEED must be an integer, got ${process.env.PEER_FHIR_SEED}`);
const PATH = process.env.PEER_FHIR_PATH === undefined || process.env.PEER_FHIR_PATH === '' ? undefined : process.env.PEER_FHIR_PATH;
const TPO: readonly PurposeKey[] = ['treatment', 'payment', 'operations', 'care-coordination'];
const PURPOSES: readonly PurposeKey[] = [...TPO, 'research', 'public-health', 'patient-request', 'legal'];
const PATIENTS = ['p-0', 'p-1', 'p-2'] as const;
const NAMED_NPI = '1234567802';
const OTHER_NPI = '1234567810';

// --- labels: every spelling the gate must read, with their true meaning -------------------------------------------
type Meaning = 'part2' | 'restricted' | 'benign' | 'unknown' | 'ignored';
interface GenLabel {
  coding: Coding;
  place: 'security' | 'tag';
  meaning: Meaning;
}
const ACT_SPELLINGS = [
  'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  'https://terminology.hl7.org/CodeSystem/v3-ActCode',
  'http://terminology.hl7.org/CodeSystem/v3-ActCode/',
  ' http://terminology.hl7.org/CodeSystem/v3-ActCode ',
  'http://hl7.org/fhir/v3/ActCode',
  'urn:oid:2.16.840.1.113883.5.4',
  '2.16.840.1.113883.5.4',
  'http://terminology.hl7.org/CodeSystem/v3-ActUSPrivacyLaw',
  'http://terminology.hl7.org/ValueSet/v3-ActUSPrivacyLaw',
];
const CONF_SPELLINGS = [
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  'https://terminology.hl7.org/CodeSystem/v3-Confidentiality/',
  'http://hl7.org/fhir/v3/Confidentiality',
  'urn:oid:2.16.840.1.113883.5.25',
  '2.16.840.1.113883.5.25',
];
const spelled = (code: string) =>
  fc
    .tuple(fc.constantFrom<(c: string) => string>((c) => c, (c) => c.toLowerCase(), (c) => c.toUpperCase()), fc.constantFrom('', ' ', '  '))
    .map(([casing, pad]) => `${pad}${casing(code)}${pad === '' ? '' : ' '}`);
const system = (spellings: readonly string[]) => fc.option(fc.constantFrom(...spellings), { nil: undefined, freq: 6 });
const place = fc.constantFrom<'security' | 'tag'>('security', 'tag');
const coding = (sys: string | undefined, code: string): Coding => (sys === undefined ? { code } : { system: sys, code });

const part2Label = fc
  .tuple(fc.constantFrom('42CFRPart2', 'SUD', 'ETH', 'ETHUD', 'OPIOIDUD').chain(spelled), system(ACT_SPELLINGS), place)
  .map(([code, sys, at]): GenLabel => ({ coding: coding(sys, code), place: at, meaning: 'part2' }));
const restrictedLabel = fc
  .oneof(
    fc.tuple(fc.constantFrom('R', 'V').chain(spelled), system(CONF_SPELLINGS)),
    fc.tuple(fc.constantFrom('NORDSCLCD', 'NORDSLCD').chain(spelled), system(ACT_SPELLINGS)),
  )
  .chain(([code, sys]) => place.map((at): GenLabel => ({ coding: coding(sys, code), place: at, meaning: 'restricted' })));
const benignLabel = fc
  .tuple(fc.constantFrom(...CONF_SPELLINGS), fc.constantFrom('N', 'L', 'M'), place)
  .map(([sys, code, at]): GenLabel => ({ coding: { system: sys, code }, place: at, meaning: 'benign' }));
// A label of a system nobody told us about: denied in meta.security; in meta.tag it is not a security label at all.
const foreignLabel = fc
  .tuple(fc.constantFrom('http://example.org/labels', 'urn:oid:1.2.3.4', 'https://labels.example/cs'), fc.string({ minLength: 1, maxLength: 8 }), place)
  .map(([sys, code, at]): GenLabel => ({ coding: { system: sys, code }, place: at, meaning: at === 'security' ? 'unknown' : 'ignored' }));
const label = fc.oneof({ arbitrary: part2Label, weight: 3 }, { arbitrary: restrictedLabel, weight: 2 }, { arbitrary: benignLabel, weight: 2 }, { arbitrary: foreignLabel, weight: 1 });

// --- resources: leaves with a true owner, nested at random ------------------------------------------------------
interface Truth {
  owner: string | undefined; // the participant the leaf is about; undefined when it cannot be told (a Group)
  labels: GenLabel[];
  /**
   * A Bundle's own entry: a container with no patient of its own, whose labels speak about the records inside it.
   * It is no record of anyone, so it has no owner to hold a consent; its Part 2 label makes every leaf of the tree
   * Part 2 protected, and each of those must then have a known, resolvable owner with a permitting consent.
   */
  container?: true;
}
interface GenTree {
  json: Record<string, unknown>;
  truths: Truth[];
}
const withLabels = (json: Record<string, unknown>, labels: GenLabel[]): Record<string, unknown> => {
  if (labels.length === 0) return json;
  const security = labels.filter((l) => l.place === 'security').map((l) => l.coding);
  const tag = labels.filter((l) => l.place === 'tag').map((l) => l.coding);
  return { ...json, meta: { ...(security.length ? { security } : {}), ...(tag.length ? { tag } : {}) } };
};
const refSpelling = (owner: number) =>
  fc.constantFrom(`Patient/s${owner}`, `https://ehr.example/fhir/Patient/s${owner}`, `Patient/s${owner}/_history/3`);

/** A leaf about `owner` (or a Group); `inherit` leaves out its subject when it sits in a resource about `owner`. */
const leaf = (inherit: number | undefined) =>
  fc
    .tuple(fc.nat(2), fc.constantFrom('Encounter', 'Observation', 'Condition'), fc.array(label, { maxLength: 3 }), fc.nat(9), fc.boolean())
    .chain(([o, type, labels, id, omit]) =>
      refSpelling(o).map((ref): GenTree => {
        if (inherit !== undefined && omit) {
          return { json: withLabels({ resourceType: type, id: `r${id}` }, labels), truths: [{ owner: PATIENTS[inherit], labels }] };
        }
        const group = id === 0; // a group Encounter's subject is a Group: the patient cannot be resolved
        const subject = group ? { reference: 'Group/g1' } : { reference: ref };
        return { json: withLabels({ resourceType: type, id: `r${id}`, subject }, labels), truths: [{ owner: group ? undefined : PATIENTS[o], labels }] };
      }),
    );

const tree: fc.Memo<GenTree> = fc.memo((depth) => {
  if (depth <= 1) return leaf(undefined);
  const bundle = fc.tuple(fc.array(tree(depth - 1), { minLength: 1, maxLength: 3 }), fc.array(label, { maxLength: 1 })).map(
    ([entries, labels]): GenTree => ({
      json: withLabels({ resourceType: 'Bundle', type: 'collection', entry: entries.map((e) => ({ resource: e.json })) }, labels),
      truths: [...entries.flatMap((e) => e.truths), { owner: undefined, labels, container: true }],
    }),
  );
  const params = fc.array(tree(depth - 1), { minLength: 1, maxLength: 2 }).map(
    (items): GenTree => ({
      json: { resourceType: 'Parameters', parameter: items.map((e, i) => ({ name: `p${i}`, part: [{ name: 'resource', resource: e.json }] })) },
      truths: items.flatMap((e) => e.truths),
    }),
  );
  const claim = fc
    .tuple(fc.nat(2), fc.array(label, { maxLength: 2 }))
    .chain(([o, labels]) =>
      fc.tuple(fc.constant(o), fc.constant(labels), fc.array(leaf(o), { minLength: 1, maxLength: 2 }), refSpelling(o)),
    )
    .map(
      ([o, labels, contained, ref]): GenTree => ({
        json: withLabels({ resourceType: 'Claim', id: 'cl', patient: { reference: ref }, contained: contained.map((c) => c.json) }, labels),
        truths: [...contained.flatMap((c) => c.truths), { owner: PATIENTS[o], labels }],
      }),
    );
  return fc.oneof({ arbitrary: leaf(undefined), weight: 2 }, { arbitrary: bundle, weight: 1 }, { arbitrary: params, weight: 1 }, { arbitrary: claim, weight: 1 });
});

// --- consents, recipients, instants ---------------------------------------------------------------------------
const day = fc.integer({ min: 0, max: 60 }).map((n) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10));
const consentArb = fc
  .record({
    participant: fc.constantFrom(...PATIENTS),
    kind: fc.constantFrom('part2-tpo', 'part2-specific', 'hipaa-authorization'),
    named: fc.boolean(),
    purposes: fc.subarray([...PURPOSES], { minLength: 1 }),
    signed: day,
    start: day,
    length: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    revokedAfter: fc.option(fc.integer({ min: 0, max: 40 * 24 * 60 }), { nil: undefined }),
    status: fc.constantFrom('active', 'active', 'active', 'draft'),
  })
  .filter((c) => c.kind === 'part2-tpo' || c.named);
type GenConsent = typeof consentArb extends fc.Arbitrary<infer T> ? T : never;
const toDirective = (c: GenConsent, i: number): ConsentDirective => {
  const start = c.start < c.signed ? c.signed : c.start;
  const end = c.length === undefined ? undefined : new Date(Date.parse(`${start}T00:00:00Z`) + c.length * 86_400_000).toISOString().slice(0, 10);
  const revokedAt = c.revokedAfter === undefined ? undefined : new Date(Date.parse(`${start}T00:00:00Z`) + c.revokedAfter * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return ConsentDirective.parse({
    id: `c-${i}`,
    participantId: c.participant,
    kind: c.kind,
    status: revokedAt === undefined ? c.status : 'inactive',
    recipients: c.named ? [{ kind: 'organization', name: 'Named plan', npi: NAMED_NPI }] : [],
    purposes: c.purposes,
    period: { start, ...(end === undefined ? {} : { end }) },
    signedDate: c.signed,
    ...(revokedAt === undefined ? {} : { revokedAt }),
    disclosingOrganizationNpi: '1234567893',
  });
};
const recipients: Record<string, DisclosureRecipient> = {
  named: { npi: NAMED_NPI, kind: 'organization', isTpoRecipient: false },
  'named-tpo': { npi: NAMED_NPI, kind: 'organization', isTpoRecipient: true },
  other: { npi: OTHER_NPI, kind: 'organization', isTpoRecipient: false },
  'other-tpo': { npi: OTHER_NPI, kind: 'organization', isTpoRecipient: true },
};
// The decision instant, written in a random offset (the same instant must be judged the same way in every spelling).
const instant = fc
  .tuple(fc.integer({ min: 0, max: 60 * 24 * 60 }), fc.integer({ min: -12, max: 14 }))
  .map(([minutes, offsetHours]) => {
    const ms = Date.UTC(2026, 0, 1) + minutes * 60_000;
    const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19);
    const sign = offsetHours < 0 ? '-' : '+';
    return { ms, text: offsetHours === 0 ? `${local}Z` : `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00` };
  });

/** The oracle, from the rules: does `c` permit disclosing `owner`'s Part 2 record to `to` for `purpose` at `ms`? */
function permitsPart2(c: ConsentDirective, owner: string, to: DisclosureRecipient, purpose: PurposeKey, ms: number): boolean {
  if (c.participantId !== owner || purpose === 'legal') return false; // 42 CFR 2.12(d)
  if (c.kind === 'hipaa-authorization') return false; // 42 CFR 2.31: a HIPAA authorization is not a Part 2 consent
  if (!c.purposes.includes(purpose) || (c.kind === 'part2-tpo' && !TPO.includes(purpose))) return false; // 2.33
  const utcDay = new Date(ms).toISOString().slice(0, 10);
  const revoked = c.revokedAt !== undefined && Date.parse(c.revokedAt) <= ms; // 2.31(a)(6): revocable at any time
  if (revoked || (c.revokedAt === undefined && c.status !== 'active')) return false;
  if (c.signedDate > utcDay || c.period.start > utcDay || (c.period.end !== undefined && c.period.end < utcDay)) return false;
  if (c.kind === 'part2-tpo' && c.recipients.length === 0) return to.isTpoRecipient === true; // 2.31(a)(4)(i)
  return c.recipients.some((r) => r.npi === to.npi);
}

const scenario = fc.record({
  trees: fc.array(tree(3), { minLength: 1, maxLength: 3 }),
  consents: fc.array(consentArb, { maxLength: 4 }),
  recipient: fc.constantFrom(...Object.keys(recipients)),
  purpose: fc.constantFrom(...PURPOSES),
  at: instant,
  forgetPatient: fc.option(fc.nat(2), { nil: undefined }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Check the gate against the oracle over one scenario; returns how many Part 2 trees left (the property is not vacuous). */
function checkScenario(s: Scenario): number {
  let part2Out = 0;
  const consents = s.consents.map(toDirective);
  const to = recipients[s.recipient] as DisclosureRecipient;
  // The client resolves Patient references to participants; sometimes one cannot be resolved.
  const patients = Object.fromEntries(PATIENTS.filter((_, i) => i !== s.forgetPatient).map((p, i) => [`Patient/s${p.slice(2)}`, p] as const));
  const out = filterDisclosable(
    s.trees.map((t) => t.json as { resourceType: string }),
    { recipient: to, purpose: s.purpose, at: s.at.text, consents, patients },
  );
  s.trees.forEach((t, k) => {
    const single = canDisclose({ resource: t.json as { resourceType: string }, recipient: to, purpose: s.purpose, at: s.at.text, consents, patients });
    const left = out.permitted.includes(t.json as { resourceType: string });
    expect(left).toBe(single.decision === 'permit');
    if (!left) return;
    const labels = t.truths.flatMap((x) => x.labels);
    // Fail closed: a label of an unknown system in meta.security keeps the whole inside.
    expect(labels.some((l) => l.meaning === 'unknown')).toBe(false);
    const part2 = labels.some((l) => l.meaning === 'part2');
    if (part2) {
      part2Out++;
      expect(single.requiresRedisclosureNotice).toBe(true); // 42 CFR 2.32
    }
    for (const truth of t.truths) {
      // Every leaf of a tree with a Part 2 label anywhere is protected (the gate judges the whole by its strictest
      // label), including one whose patient cannot be told (a Group): that one must never leave. A Bundle's own
      // entry is not a leaf: it is about no patient (see `Truth.container`), so it is not asked for an owner.
      // (The oracle once asked it for one, and so failed on a permitted Part 2-labelled Bundle whose records were
      // all of one consenting patient: seed -235751575, the regression test below.)
      if (truth.container === true || !part2) continue;
      // Its own patient must be known, resolvable and have a permitting consent of their own.
      expect(truth.owner).toBeDefined();
      expect(truth.owner === undefined || patients[`Patient/s${truth.owner.slice(2)}`] !== undefined).toBe(true);
      expect(consents.some((c) => permitsPart2(c, truth.owner ?? '', to, s.purpose, s.at.ms))).toBe(true);
    }
    if (!part2 && labels.some((l) => l.meaning === 'restricted')) {
      // Restricted without Part 2: an explicit consent of every patient concerned, covering recipient and purpose.
      const owners = t.truths.map((x) => x.owner).filter((o): o is string => o !== undefined);
      expect(owners.length).toBeGreaterThan(0);
      for (const o of owners) expect(consents.some((c) => c.participantId === o && c.purposes.includes(s.purpose))).toBe(true);
    }
  });
  return part2Out;
}

describe('the consent gate over generated resource sets (property, issue 11 acceptance 1)', () => {
  it(`lets zero Part 2 resources out without an active consent of their own patient (${RUNS} runs)`, () => {
    let part2Out = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        part2Out += checkScenario(s);
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH === undefined ? {} : { path: PATH, endOnFailure: true }) },
    );
    expect(part2Out).toBeGreaterThan(0); // not vacuous: Part 2 records do leave when a consent permits
  }, 600_000);

  // Found with seed -235751575 (path 92:5:3:…): a Part 2-labelled Bundle (label without a system) with no patient of
  // its own, holding a Claim and its contained Encounter of p-2, who has a TPO consent active at the instant (revoked
  // a minute later); and a Parameters whose Encounter is about a Group. The gate was right: the Bundle may leave, with
  // the 42 CFR 2.32 notice, on p-2's consent; the unlabelled Parameters leaves for operations under HIPAA, and once
  // Part 2-labelled its Group Encounter (no resolvable patient) stays. The oracle was wrong: it
  // asked the Bundle itself for an owner.
  it('regression (seed -235751575): a Part 2-labelled Bundle of one consenting patient leaves; a Part 2 Group Encounter does not', () => {
    const s: Scenario = {
      trees: [
        {
          json: {
            resourceType: 'Bundle',
            type: 'collection',
            entry: [
              {
                resource: {
                  resourceType: 'Claim',
                  id: 'cl',
                  patient: { reference: 'Patient/s2' },
                  contained: [{ resourceType: 'Encounter', id: 'r1', subject: { reference: 'Patient/s2' } }],
                },
              },
            ],
            meta: { security: [{ code: '42CFRPart2' }] },
          },
          truths: [
            { owner: 'p-2', labels: [] },
            { owner: 'p-2', labels: [] },
            { owner: undefined, labels: [{ coding: { code: '42CFRPart2' }, place: 'security', meaning: 'part2' }], container: true },
          ],
        },
        {
          json: {
            resourceType: 'Parameters',
            parameter: [{ name: 'p0', part: [{ name: 'resource', resource: { resourceType: 'Encounter', id: 'r0', subject: { reference: 'Group/g1' } } }] }],
          },
          truths: [{ owner: undefined, labels: [] }],
        },
      ],
      consents: [
        {
          participant: 'p-2',
          kind: 'part2-tpo',
          named: false,
          purposes: ['operations', 'legal'],
          signed: '2026-01-01',
          start: '2026-01-01',
          length: undefined,
          revokedAfter: 1,
          status: 'active',
        },
      ],
      recipient: 'named-tpo',
      purpose: 'operations',
      at: { ms: 1767225600000, text: '2026-01-01T00:00:00Z' },
      forgetPatient: undefined,
    };
    expect(checkScenario(s)).toBe(1);
    const consents = s.consents.map(toDirective);
    const patients = { 'Patient/s0': 'p-0', 'Patient/s1': 'p-1', 'Patient/s2': 'p-2' };
    const request = { recipient: recipients['named-tpo'] as DisclosureRecipient, purpose: 'operations' as const, at: s.at.text, consents, patients };
    const [bundle, params] = s.trees.map((t) => t.json as { resourceType: string });
    const permitted = canDisclose({ ...request, resource: bundle as { resourceType: string } });
    expect(permitted).toMatchObject({ decision: 'permit', part2: true, requiresRedisclosureNotice: true, consentIds: ['c-0'] });
    // The Parameters carries no label: HIPAA permits it for operations without consent (45 CFR 164.506), Group or not.
    expect(canDisclose({ ...request, resource: params as { resourceType: string } }).reasons.map((r) => r.code)).toEqual(['HIPAA-TPO']);
    // With a Part 2 label, consent is needed and the Group's Encounter has no patient to hold one: it stays.
    const labelled = { ...(params as { resourceType: string }), meta: { security: [{ code: '42CFRPart2' }] } };
    const denied = canDisclose({ ...request, resource: labelled });
    expect(denied.decision).toBe('deny');
    expect(denied.reasons.map((r) => r.code)).toContain('PATIENT-UNRESOLVED');
    // A minute later the consent is revoked: the same Bundle stays.
    expect(canDisclose({ ...request, at: '2026-01-01T00:01:00Z', resource: bundle as { resourceType: string } }).decision).toBe('deny');
  });
});
