import { describe, expect, it } from 'vitest';
import { isValidNpi, parseRecord, PeerEncounter, PeerFhirValidationError, toFhir, Participant, RecoveryPlan } from '../src/index.js';
import { individualEncounter, organization, participant, recoveryPlan, specialist } from './fixtures.js';

describe('NPI check digit', () => {
  it('accepts NPIs whose Luhn check digit (with the 80840 prefix) is right', () => {
    for (const npi of ['1234567893', '1245319599', '1003000126']) expect(isValidNpi(npi)).toBe(true);
  });
  it('rejects a wrong check digit, wrong length and non-digits', () => {
    for (const npi of ['1234567890', '123456789', '12345678931', '12345678a3', '']) expect(isValidNpi(npi)).toBe(false);
  });
});

describe('domain validation', () => {
  it('names every problem of an invalid encounter with its path', () => {
    const bad = {
      ...individualEncounter(),
      specialistNpi: '1234567890',
      end: '2025-01-14T09:00:00-05:00',
      modality: 'carrier-pigeon',
      setting: undefined,
      attendees: [{ participantId: 'p-1', diagnoses: ['not-icd'], goalIds: [] }],
    };
    const r = parseRecord(PeerEncounter, bad, 'PeerEncounter');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
    expect(byPath).toMatchObject({
      specialistNpi: 'NPI check digit is invalid',
      modality: expect.stringContaining('must be one of: in-person, video, audio-only'),
      setting: 'required',
      'attendees[0].diagnoses[0]': expect.stringContaining('ICD-10-CM'),
    });
    // end-before-start is a cross-field rule and runs once the fields themselves parse
    const r2 = parseRecord(PeerEncounter, { ...individualEncounter(), end: '2025-01-14T09:00:00-05:00' }, 'PeerEncounter');
    expect(r2.ok ? [] : r2.issues).toEqual([{ path: 'end', code: 'custom', message: 'end must be after start' }]);
  });

  it('never puts a PHI value into an error message', () => {
    const phi = { family: 'Zyxwvut', given: ['Qwertyuiop'] };
    const r = parseRecord(Participant, { ...participant(), name: { ...phi, given: [42] }, birthDate: '1988-02-30', medicaidId: 123456789, gender: 'Qwertyuiop' }, 'Participant');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.error.message + JSON.stringify(r.issues);
    for (const v of ['Zyxwvut', 'Qwertyuiop', '1988-02-30', '123456789', '42']) expect(text).not.toContain(v);
    expect(r.issues.map((i) => i.path).sort()).toEqual(['birthDate', 'gender', 'medicaidId', 'name.given[0]']);
  });

  it('rejects a group with one attendee and an individual with a group id', () => {
    const g = parseRecord(PeerEncounter, { ...individualEncounter(), mode: 'group', groupId: 'grp-1' }, 'PeerEncounter');
    expect(g.ok ? [] : g.issues.map((i) => i.message)).toEqual(['a group encounter has two or more attendees']);
    const i = parseRecord(PeerEncounter, { ...individualEncounter(), groupId: 'grp-1' }, 'PeerEncounter');
    expect(i.ok ? [] : i.issues.map((x) => x.path)).toEqual(['groupId']);
  });

  it('rejects a clinician signature on a plan without a clinician, and duplicate goal ids', () => {
    const plan = recoveryPlan({ clinician: undefined });
    plan.goals = [plan.goals[0]!, { ...plan.goals[1]!, id: plan.goals[0]!.id }];
    const r = parseRecord(RecoveryPlan, plan, 'RecoveryPlan');
    expect(r.ok ? [] : r.issues.map((x) => x.path).sort()).toEqual(['goals[1].id', 'signatures[2].role']);
  });

  it('toFhir throws one typed error listing every bad record and every dangling reference', () => {
    let err: unknown;
    try {
      toFhir({
        organizations: [organization({ npi: '1234567890' })],
        specialists: [specialist()],
        participants: [participant('p-1')],
        encounters: [individualEncounter({ attendees: [{ participantId: 'p-404', diagnoses: [], goalIds: [] }] }), individualEncounter({ id: 'enc-2', start: 'yesterday' })],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeerFhirValidationError);
    expect((err as PeerFhirValidationError).issues.map((i) => i.path)).toEqual(['organizations[0].npi', 'encounters[1].start']);
    // once records are valid, references are checked
    try {
      toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant('p-1')], encounters: [individualEncounter({ attendees: [{ participantId: 'p-404', diagnoses: [], goalIds: [] }] })] });
    } catch (e) {
      err = e;
    }
    expect((err as PeerFhirValidationError).issues).toEqual([
      { path: 'encounters[0].attendees[0].participantId', code: 'missing_reference', message: 'the participant is not in the input' },
    ]);
  });
});

describe('records that appear twice', () => {
  it('refuses the same goal with different content in two plans of the same start instead of dropping one', () => {
    const v1 = recoveryPlan();
    const v2 = recoveryPlan({ id: 'plan-1-r1', goals: [{ ...v1.goals[0]!, achievement: 'achieved' }] });
    let err: unknown;
    try {
      toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], plans: [v1, v2] });
    } catch (e) {
      err = e;
    }
    expect((err as PeerFhirValidationError).issues).toEqual([
      { path: 'plans[1].goals[0]', code: 'conflicting_duplicate', message: expect.stringContaining('appears twice with different content') },
    ]);
  });

  it('refuses one payer id with two payer names, at the coverage that differs (found by the long fuzz run)', () => {
    const p1 = participant('p-1');
    const p2 = participant('p-2', { coverages: [{ ...p1.coverages[0]!, payerName: 'NC Medicaid Direct' }] });
    let err: unknown;
    try {
      toFhir({ organizations: [organization()], specialists: [specialist()], participants: [p1, p2] });
    } catch (e) {
      err = e;
    }
    expect((err as PeerFhirValidationError).issues).toEqual([
      { path: 'participants[1].coverages[0].payerName', code: 'conflicting_duplicate', message: expect.stringContaining('Organization appears twice') },
    ]);
    // The same name twice is one payer Organization.
    const ok = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [p1, participant('p-2')] });
    expect(ok.entry!.filter((e) => e.resource!.resourceType === 'Organization')).toHaveLength(2);
  });

  it('accepts the same participant named by many records', () => {
    const b = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], plans: [recoveryPlan()], encounters: [individualEncounter()] });
    expect(b.entry!.filter((e) => e.resource!.resourceType === 'Patient')).toHaveLength(1);
  });
});
