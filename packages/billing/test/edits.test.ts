import { describe, expect, it } from 'vitest';
import { identifierSystems } from '@peer-fhir/core';
import { evaluate, getPack, loadPack, type BillingContext, type BillingDecision, type EditCode } from '../src/index.js';
import { context, encounter, ORG_NPI, part2Consent, participant, PAYER_ID, plan, specialist } from './support/factories.js';

const NC = getPack('nc-alliance-peer-support-2019');
const NJ = getPack('nj-horizon-sud-peer-2020');
const TX = getPack('tx-medicaid-peer-specialist-2019');
const OH = getPack('oh-medicaid-peer-support');
const GA = getPack('ga-dbhdd-peer-support');
const PA = getPack('pa-omhsas-peer-support');
const PIN = getPack('medicare-pin-ps-2024');

const run = (ctx: BillingContext) => evaluate(ctx);
const codes = (d: BillingDecision | undefined) => (d?.holds ?? []).map((h) => h.code);
const only = (ctx: BillingContext) => {
  const r = run(ctx);
  expect(r.decisions).toHaveLength(1);
  return r.decisions[0] as BillingDecision;
};
const expectHeldBy = (ctx: BillingContext, code: EditCode) => {
  const d = only(ctx);
  expect(d.status).toBe('held');
  expect(codes(d)).toContain(code);
  return d;
};
const expectBilled = (ctx: BillingContext) => {
  const d = only(ctx);
  expect(d.holds).toEqual([]);
  expect(d.status).toBe('billed');
  return d;
};

describe('a clean encounter', () => {
  it('bills an NC individual hour as 4 units of H0038 at $11.97', () => {
    const d = expectBilled(context(NC, { encounters: [encounter({ program: 'mental-health', diagnoses: ['F33.1'] })] }));
    expect(d.lines[0]).toMatchObject({ code: 'H0038', modifiers: [], units: 4, rate: 11.97, charge: 47.88, payerId: PAYER_ID });
  });
  it('puts HQ on NC group lines and prices them at $2.88', () => {
    const enc = encounter({ mode: 'group', groupId: 'grp-1', attendees: [{ participantId: 'p-1', diagnoses: ['F11.20'] }, { participantId: 'p-2', diagnoses: ['F11.20'] }] });
    const r = run(context(NC, { encounters: [enc], participants: [participant(), participant({ id: 'p-2' })],
      serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2019-01-01' }, { id: 'so-2', participantId: 'p-2', signedDate: '2019-01-01' }],
      plans: [plan(), plan({ id: 'plan-2', participantId: 'p-2' })] }));
    expect(r.decisions.map((d) => d.status)).toEqual(['billed', 'billed']);
    expect(r.lines.map((l) => [l.modifiers, l.rate])).toEqual([[['HQ'], 2.88], [['HQ'], 2.88]]);
  });
  it('puts the program modifier on NJ lines', () => {
    expect(expectBilled(context(NJ)).lines[0]?.modifiers).toEqual(['HF']);
  });
  it('warns when the pack has no rate', () => {
    const d = expectBilled(context(NJ));
    expect(d.warnings.map((w) => w.code)).toContain('PB-RATE-UNKNOWN');
    expect(d.lines[0]).toMatchObject({ rate: null, charge: null });
  });
  it('warns when a rule used is not confirmed', () => {
    expect(expectBilled(context(NC)).warnings.map((w) => w.code)).toContain('PB-RULE-UNCONFIRMED');
  });
});

describe('PB-CONSENT-PART2', () => {
  const p2 = () => [encounter({ part2: true })];
  it('holds a Part 2 encounter with no consent', () => expectHeldBy(context(NJ, { encounters: p2(), consents: [] }), 'PB-CONSENT-PART2'));
  it('bills with a TPO consent that covers payment', () => expectBilled(context(NJ, { encounters: p2() })));
  it('ignores consent for non-Part 2 encounters', () => expectBilled(context(NJ, { consents: [] })));
  it('holds when the consent lacks the payment purpose', () =>
    expectHeldBy(context(NJ, { encounters: p2(), consents: [part2Consent({ purposes: ['treatment'] })] }), 'PB-CONSENT-PART2'));
  it('holds when the consent was revoked before the date of service', () =>
    expectHeldBy(context(NJ, { encounters: p2(), consents: [part2Consent({ status: 'inactive', revokedAt: '2024-12-01T00:00:00Z' })] }), 'PB-CONSENT-PART2'));
  it('bills a service given before a later revocation (42 CFR 2.31(a)(6))', () =>
    expectBilled(context(NJ, { encounters: p2(), consents: [part2Consent({ status: 'inactive', revokedAt: '2025-02-01T00:00:00Z' })] })));
  it('accepts a specific consent only when it names the payer by its payer identifier', () => {
    const payer = (system: string, value: string) => [{ kind: 'organization', name: 'State Medicaid Plan', identifier: { system, value } }];
    const named = part2Consent({ kind: 'part2-specific', recipients: payer(identifierSystems({ agency: ORG_NPI }).payer, PAYER_ID) });
    expectBilled(context(NJ, { encounters: p2(), consents: [named] }));
    const other = part2Consent({ kind: 'part2-specific', recipients: payer(identifierSystems({ agency: ORG_NPI }).payer, 'X') });
    expectHeldBy(context(NJ, { encounters: p2(), consents: [other] }), 'PB-CONSENT-PART2');
    // Core matches recipients by NPI or by identifier system and value, never by name or a bare value.
    const foreign = part2Consent({ kind: 'part2-specific', recipients: payer('urn:payer', PAYER_ID) });
    expectHeldBy(context(NJ, { encounters: p2(), consents: [foreign] }), 'PB-CONSENT-PART2');
  });
  it('matches the payer in the namespace given to core mappers', () => {
    const ns = 'https://ehr.example.org/ids';
    const named = part2Consent({ kind: 'part2-specific', recipients: [{ kind: 'organization', name: 'Plan', identifier: { system: identifierSystems({ agency: ORG_NPI, namespace: ns }).payer, value: PAYER_ID } }] });
    expectBilled(context(NJ, { encounters: p2(), consents: [named], namespace: ns }));
    expectHeldBy(context(NJ, { encounters: p2(), consents: [named] }), 'PB-CONSENT-PART2');
  });
  it('does not count a HIPAA authorization for Part 2 records, and names core reason codes only', () => {
    const hipaa = part2Consent({ kind: 'hipaa-authorization', recipients: [{ kind: 'organization', name: 'Plan', identifier: { system: identifierSystems({ agency: ORG_NPI }).payer, value: PAYER_ID } }] });
    const d = evaluate(context(NJ, { encounters: p2(), consents: [hipaa] })).decisions[0];
    const hold = d?.holds.find((h) => h.code === 'PB-CONSENT-PART2');
    expect(hold?.reason).toContain('CONSENT-WRONG-KIND');
    expect(hold?.reason).not.toContain('c-1');
  });
  it('holds when the consent period ended before the date of service', () =>
    expectHeldBy(context(NJ, { encounters: p2(), consents: [part2Consent({ period: { start: '2019-01-01', end: '2024-12-31' } })] }), 'PB-CONSENT-PART2'));
  // Issue 11, class 5: the rule decides at two instants, the date of service and the billing run.
  const signedAfterService = () => [part2Consent({ period: { start: '2025-02-01' }, signedDate: '2025-02-01' })];
  it('bills a consent signed after the service but before the billing run: it is in effect when the claim is disclosed', () =>
    expectBilled(context(NJ, { encounters: p2(), consents: signedAfterService() })));
  it('holds a consent signed after the billing run', () =>
    expectHeldBy(context(NJ, { encounters: p2(), consents: signedAfterService(), billedAt: '2025-01-31T23:00:00Z' }), 'PB-CONSENT-PART2'));
  it('under the strict rule needs the consent both on the date of service and at the billing run', () => {
    expectHeldBy(context(NJ, { encounters: p2(), consents: signedAfterService(), part2ConsentRule: 'strict' }), 'PB-CONSENT-PART2');
    const revokedBeforeRun = [part2Consent({ status: 'inactive', revokedAt: '2025-02-01T00:00:00Z' })];
    expectHeldBy(context(NJ, { encounters: p2(), consents: revokedBeforeRun, part2ConsentRule: 'strict' }), 'PB-CONSENT-PART2');
    expectBilled(context(NJ, { encounters: p2(), part2ConsentRule: 'strict' }));
  });
  it('holds a Part 2 encounter when the billing run instant is not given (fail closed)', () => {
    const { billedAt: _omit, ...noRun } = context(NJ, { encounters: p2() });
    expectHeldBy(noRun, 'PB-CONSENT-PART2');
    expectBilled({ ...noRun, encounters: [encounter()] });
  });
});

describe('PB-PLAN', () => {
  // A first service months earlier, so the one-month grace period has passed.
  const earlier = [{ participantId: 'p-1', date: '2024-06-01', code: 'H0038', units: 4, priorAuthUnits: 0 }];
  const signedAt = '2024-12-01T10:00:00-05:00';
  const current = plan({ signatures: [{ role: 'participant', signedAt }, { role: 'peer', signedAt }, { role: 'clinician', signedAt }] });
  const pa = (over: Partial<BillingContext> = {}) =>
    context(PA, { encounters: [encounter({ program: 'mental-health', diagnoses: ['F33.1'] })], history: earlier, plans: [current], ...over });
  it('bills with a plan signed by all three roles', () => expectBilled(pa()));
  it('holds without a plan', () => expectHeldBy(pa({ plans: [] }), 'PB-PLAN'));
  it('holds when the clinician has not signed', () => {
    const d = expectHeldBy(pa({ plans: [plan({ signatures: [{ role: 'participant', signedAt: '2024-12-01T10:00:00Z' }, { role: 'peer', signedAt: '2024-12-01T10:00:00Z' }] })] }), 'PB-PLAN');
    expect(d.holds[0]?.reason).toMatch(/clinician/);
  });
  it('bills within the first month before a plan exists', () => {
    expectBilled(pa({ plans: [], history: [{ participantId: 'p-1', date: '2025-01-01', code: 'H0038', units: 0, priorAuthUnits: 0 }] }));
  });
  it('holds when the plan review is overdue', () => expectHeldBy(pa({ plans: [plan({ reviewDue: '2024-12-31' })] }), 'PB-PLAN'));
  it('holds when the plan was last signed more than 6 months ago', () => {
    const old = '2024-06-01T10:00:00Z';
    expectHeldBy(pa({ plans: [plan({ signatures: [{ role: 'participant', signedAt: old }, { role: 'peer', signedAt: old }, { role: 'clinician', signedAt: old }] })] }), 'PB-PLAN');
  });
});

describe('PB-SERVICE-ORDER', () => {
  it('holds NC services before the order was signed', () =>
    expectHeldBy(context(NC, { serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2025-01-15' }] }), 'PB-SERVICE-ORDER'));
  it('bills on the day the order was signed', () =>
    expectBilled(context(NC, { serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2025-01-14' }] })));
  it('is not required by packs that do not ask for it', () => expectBilled(context(NJ, { serviceOrders: [] })));
});

describe('PB-CREDENTIAL', () => {
  const reason = (d: BillingDecision) => d.holds.find((h) => h.code === 'PB-CREDENTIAL')?.reason;
  it('holds NC services by a peer without an NC CPSS credential', () =>
    expect(reason(expectHeldBy(context(NC, { specialists: [specialist({ credentials: [] })] }), 'PB-CREDENTIAL'))).toMatch(/^no credential on record \(the pack requires kind CPSS/));
  it('holds when the credential expired before the date of service, naming the date', () =>
    expect(reason(expectHeldBy(context(NC, { specialists: [specialist({ credentials: [{ kind: 'CPSS', state: 'NC', number: 'N', issuer: 'NC', issued: '2018-01-01', expires: '2024-12-31' }] })] }), 'PB-CREDENTIAL'))).toBe(
      'credential CPSS expired 2024-12-31, before the date of service',
    ));
  it('holds when the credential was not yet issued on the date of service', () =>
    expect(reason(expectHeldBy(context(NC, { specialists: [specialist({ credentials: [{ kind: 'CPSS', state: 'NC', number: 'N', issuer: 'NC', issued: '2030-01-01' }] })] }), 'PB-CREDENTIAL'))).toBe(
      'credential CPSS not yet issued on the date of service (issued 2030-01-01)',
    ));
  it('holds when the credential is from another state', () =>
    expect(reason(expectHeldBy(context(NC, { specialists: [specialist({ credentials: [{ kind: 'CPSS', state: 'SC', number: 'N', issuer: 'SC', issued: '2018-01-01' }] })] }), 'PB-CREDENTIAL'))).toMatch(
      /^credential CPSS issued in SC, the pack requires NC/,
    ));
  it('holds TX SUD services by a peer with only an MH endorsement, naming the missing endorsement', () =>
    expect(reason(expectHeldBy(context(TX, { specialists: [specialist({ credentials: [{ kind: 'MHPS', state: 'TX', number: 'T', issuer: 'TX', issued: '2018-01-01', endorsements: ['MH'] }] })] }), 'PB-CREDENTIAL'))).toMatch(
      /lacks the SUD endorsement the substance-use program requires/,
    ));
  it('holds when the rendering peer is unknown', () => expectHeldBy(context(NJ, { specialists: [] }), 'PB-CREDENTIAL'));
});

describe('PB-SUPERVISOR', () => {
  const { supervisor: _s, ...noSup } = specialist();
  it('holds NC services when no supervisor is on record', () => expectHeldBy(context(NC, { specialists: [{ ...noSup }] }), 'PB-SUPERVISOR'));
  it('accepts a supervisor named on the encounter', () =>
    expectBilled(context(NC, { specialists: [{ ...noSup }], encounters: [encounter({ supervisorNpi: '1245319599' })] })));
});

describe('PB-DIAGNOSIS', () => {
  it('holds NJ services without a SUD diagnosis', () => expectHeldBy(context(NJ, { encounters: [encounter({ attendees: [{ participantId: 'p-1', diagnoses: ['F32.1'] }] })] }), 'PB-DIAGNOSIS'));
  it('holds services with no diagnosis', () => expectHeldBy(context(NJ, { encounters: [encounter({ attendees: [{ participantId: 'p-1', diagnoses: [] }] })] }), 'PB-DIAGNOSIS'));
  it('puts allowed diagnoses first on the line', () => {
    const d = expectBilled(context(NJ, { encounters: [encounter({ attendees: [{ participantId: 'p-1', diagnoses: ['F32.1', 'F11.20'] }] })] }));
    expect(d.lines[0]?.diagnoses).toEqual(['F11.20', 'F32.1']);
  });
});

describe('PB-SUBSCRIBER-ADDRESS', () => {
  // 837P 2010BA N3/N4 is required when the subscriber is the patient, and the participant is always the subscriber.
  it('holds an encounter whose participant has no address, naming why', () => {
    const { address: _none, ...noAddress } = participant();
    const d = expectHeldBy(context(NJ, { participants: [noAddress] }), 'PB-SUBSCRIBER-ADDRESS');
    expect(d.holds.find((h) => h.code === 'PB-SUBSCRIBER-ADDRESS')?.reason).toMatch(/2010BA N3\/N4/);
  });
  it('bills it once the participant has an address', () => {
    expectBilled(context(NJ, { participants: [participant()] }));
  });
});

describe('PB-AGE, PB-COVERAGE, PB-PARTICIPANT-UNKNOWN, PB-ENCOUNTER-STATUS, PB-PACK-NOT-EFFECTIVE, PB-SERVICE-NOT-COVERED', () => {
  it('holds TX services for a 20-year-old', () => expectHeldBy(context(TX, { participants: [participant({ birthDate: '2004-06-01' })] }), 'PB-AGE'));
  it('holds when coverage ended', () =>
    expectHeldBy(context(NJ, { participants: [participant({ coverages: [{ payerId: PAYER_ID, payerName: 'X', memberId: 'M', period: { start: '2019-01-01', end: '2024-12-31' } }] })] }), 'PB-COVERAGE'));
  it('holds when the participant record is missing', () => expectHeldBy(context(NJ, { participants: [] }), 'PB-PARTICIPANT-UNKNOWN'));
  it('holds a cancelled encounter instead of dropping it', () => expectHeldBy(context(NJ, { encounters: [encounter({ status: 'cancelled' })] }), 'PB-ENCOUNTER-STATUS'));
  it('holds services before the pack takes effect', () => expectHeldBy(context(NJ, { encounters: [encounter({ date: '2020-06-30' })] }), 'PB-PACK-NOT-EFFECTIVE'));
  it('holds NJ mental-health services the pack does not bill', () =>
    expectHeldBy(context(NJ, { encounters: [encounter({ program: 'mental-health' })] }), 'PB-SERVICE-NOT-COVERED'));
});

describe('PB-PLACE-OF-SERVICE and PB-MODALITY', () => {
  it('holds TX video services (in person only)', () => expectHeldBy(context(TX, { encounters: [encounter({ modality: 'video', placeOfService: '10' })] }), 'PB-MODALITY'));
  it('bills GA telephone services with UK and POS 02', () => {
    const d = expectBilled(context(GA, { encounters: [encounter({ modality: 'audio-only', placeOfService: '02', program: 'mental-health', diagnoses: ['F33.1'] })] }));
    expect(d.lines[0]).toMatchObject({ modifiers: ['UK'], placeOfService: '02' });
  });
  it('bills GA video services with GT', () => {
    expect(expectBilled(context(GA, { encounters: [encounter({ modality: 'video', placeOfService: '02', program: 'mental-health' })] })).lines[0]?.modifiers).toEqual(['GT']);
  });
  it('holds GA telephone services billed at POS 10', () =>
    expectHeldBy(context(GA, { encounters: [encounter({ modality: 'audio-only', placeOfService: '10', program: 'mental-health' })] }), 'PB-PLACE-OF-SERVICE'));
  it('holds a pack that would send a rejected modifier', () => {
    const raw = JSON.parse(JSON.stringify(GA));
    raw.telehealth.video.modifiers = ['95'];
    expectHeldBy(context(loadPack(raw), { encounters: [encounter({ modality: 'video', placeOfService: '02', program: 'mental-health' })] }), 'PB-MODALITY');
  });
  it('holds in-person services outside the allowed places of service', () => {
    const raw = JSON.parse(JSON.stringify(NJ));
    raw.placeOfService = { allowed: ['57'], source: raw.units.source };
    expectHeldBy(context(loadPack(raw)), 'PB-PLACE-OF-SERVICE');
  });
});

describe('PB-GROUP-SIZE', () => {
  const group = (n: number) => {
    const ids = Array.from({ length: n }, (_, i) => `p-${i + 1}`);
    return context(TX, {
      encounters: [encounter({ mode: 'group', groupId: 'g', attendees: ids.map((id) => ({ participantId: id, diagnoses: ['F11.20'] })) })],
      participants: ids.map((id) => participant({ id })),
    });
  };
  it('holds every attendee of a 13-person TX group', () => {
    const r = run(group(13));
    expect(r.decisions).toHaveLength(13);
    expect(r.decisions.every((d) => d.status === 'held' && codes(d).includes('PB-GROUP-SIZE'))).toBe(true);
  });
  it('bills a 12-person TX group', () => expect(run(group(12)).totals.billed).toBe(12));
});

describe('PB-OVERLAP', () => {
  it('holds both of two overlapping services', () => {
    const r = run(context(NJ, { encounters: [encounter({ startMinute: 600, minutes: 60 }), encounter({ startMinute: 630, minutes: 60 })] }));
    expect(r.decisions.map(codes)).toEqual([['PB-OVERLAP'], ['PB-OVERLAP']]);
  });
  it('holds a peer service simultaneous with another behavioral health service', () =>
    expectHeldBy(context(TX, { otherServices: [{ participantId: 'p-1', start: '2025-01-14T10:30:00-05:00', end: '2025-01-14T11:30:00-05:00' }] }), 'PB-OVERLAP'));
  it('bills back-to-back services', () => {
    const r = run(context(NJ, { encounters: [encounter({ startMinute: 600, minutes: 60 }), encounter({ startMinute: 660, minutes: 60 })] }));
    expect(r.totals.billed).toBe(2);
  });
});

describe('PB-UNITS-MINIMUM', () => {
  it('holds a 7-minute contact', () => expectHeldBy(context(TX, { encounters: [encounter({ minutes: 7 })] }), 'PB-UNITS-MINIMUM'));
});

describe('PB-CAP', () => {
  const twoToday = () => [encounter({ startMinute: 480, minutes: 180 }), encounter({ startMinute: 720, minutes: 120 })];
  it('bills NJ units up to 16 a day and holds the rest', () => {
    const r = run(context(NJ, { encounters: twoToday() }));
    expect(r.decisions.map((d) => [d.status, d.billedUnits, d.heldUnits])).toEqual([['billed', 12, 0], ['partial', 4, 4]]);
    expect(r.decisions[1]?.holds[0]).toMatchObject({ code: 'PB-CAP', units: 4 });
    expect(r.totals).toMatchObject({ requestedUnits: 20, billedUnits: 16, heldUnits: 4 });
  });
  it('holds the whole line under the hold-whole policy', () => {
    const r = run(context(NJ, { encounters: twoToday(), capPolicy: 'hold-whole' }));
    expect(r.decisions.map((d) => [d.status, d.billedUnits, d.heldUnits])).toEqual([['billed', 12, 0], ['held', 0, 8]]);
  });
  it('counts units already billed that day', () => {
    const d = only(context(NJ, { history: [{ participantId: 'p-1', date: '2025-01-14', code: 'H0038', units: 16, priorAuthUnits: 0 }] }));
    expect(d).toMatchObject({ status: 'held', billedUnits: 0, heldUnits: 4 });
  });
});

describe('PB-PRIOR-AUTH', () => {
  it('holds OH units beyond 4 hours a day without authorization', () => {
    const d = only(context(OH, { encounters: [encounter({ startMinute: 480, minutes: 300, program: 'mental-health' })] }));
    expect(d).toMatchObject({ status: 'partial', billedUnits: 16, heldUnits: 4 });
    expect(codes(d)).toEqual(['PB-PRIOR-AUTH']);
  });
  it('bills OH units beyond 4 hours against an authorization', () => {
    const d = only(context(OH, {
      encounters: [encounter({ startMinute: 480, minutes: 300, program: 'mental-health' })],
      priorAuthorizations: [{ id: 'pa-1', participantId: 'p-1', code: 'H0038', period: { start: '2025-01-01', end: '2025-12-31' }, units: 10, unitsUsed: 0, reference: 'AUTH-1' }],
    }));
    expect(d).toMatchObject({ status: 'billed', billedUnits: 20 });
    expect(d.lines[0]).toMatchObject({ priorAuthUnits: 4, preAuthRef: 'AUTH-1' });
  });
  it('draws NC units past 24 per episode from the authorization and holds what is left', () => {
    const d = only(context(NC, {
      encounters: [encounter({ minutes: 120 })],
      history: [{ participantId: 'p-1', date: '2024-12-01', code: 'H0038', units: 20, priorAuthUnits: 0 }],
      priorAuthorizations: [{ id: 'pa-1', participantId: 'p-1', code: 'H0038', period: { start: '2025-01-01', end: '2025-06-30' }, units: 3, unitsUsed: 1, reference: 'A-2' }],
    }));
    expect(d).toMatchObject({ status: 'partial', requestedUnits: 8, billedUnits: 6, heldUnits: 2 });
    expect(d.lines[0]).toMatchObject({ priorAuthUnits: 2, preAuthRef: 'A-2' });
  });
  it('resets the NC unmanaged units in a new state fiscal year', () => {
    const d = only(context(NC, { encounters: [encounter({ date: '2025-07-01' })], history: [{ participantId: 'p-1', date: '2025-06-30', code: 'H0038', units: 24, priorAuthUnits: 0 }] }));
    expect(d.status).toBe('billed');
  });
  it('counts TX units over a rolling six months', () => {
    const hist = (date: string) => [{ participantId: 'p-1', date, code: 'H0038', units: 102, priorAuthUnits: 0 }];
    expect(only(context(TX, { history: hist('2024-10-01') }))).toMatchObject({ status: 'partial', billedUnits: 2, heldUnits: 2 });
    expect(only(context(TX, { history: hist('2024-07-14') })).status).toBe('billed');
  });
});

describe('every reason is reported', () => {
  it('lists all holds of an item, not only the first', () => {
    const d = only(context(NJ, { encounters: [encounter({ part2: true, attendees: [{ participantId: 'p-1', diagnoses: [] }] })], consents: [] }));
    expect(codes(d)).toEqual(['PB-CONSENT-PART2', 'PB-DIAGNOSIS']);
  });
});

describe('aggregated models', () => {
  it('bills PIN-PS G0140 when the month reaches 60 minutes and G0146 at 90', () => {
    const encs = [1, 2, 3].map((d) => encounter({ date: `2025-01-0${d}`, minutes: 30, serviceCode: 'G0140', program: 'mental-health' }));
    const r = run(context(PIN, { encounters: encs }));
    expect(r.decisions.map((d) => [d.status, d.lines.map((l) => `${l.code}x${l.units}`)])).toEqual([
      ['billed', []],
      ['billed', ['G0140x1']],
      ['billed', ['G0146x1']],
    ]);
    expect(r.decisions[0]?.countedIn).toBe(`${encs[1]?.id}/p-1`);
  });
  it('holds PIN-PS time that never reaches the monthly minimum', () => {
    const d = only(context(PIN, { encounters: [encounter({ minutes: 45, serviceCode: 'G0140', program: 'mental-health' })] }));
    expect(codes(d)).toEqual(['PB-UNITS-MINIMUM']);
  });
  it('aggregates a day before rounding when the pack says per-day-aggregate', () => {
    const raw = JSON.parse(JSON.stringify(TX));
    raw.units.method = { kind: 'per-day-aggregate', inner: 'cms-8-minute' };
    const encs = [600, 700, 800].map((m) => encounter({ startMinute: m, minutes: 10 }));
    const r = run(context(loadPack(raw), { encounters: encs }));
    expect(r.decisions.map((d) => d.billedUnits)).toEqual([1, 0, 1]);
    expect(r.decisions.every((d) => d.status === 'billed')).toBe(true);
    expect(r.totals.billedUnits).toBe(2);
  });
});
