import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import {
  complianceReport,
  complianceReportToMarkdown,
  ContinuingEducation,
  SupervisionSession,
  supervisionSessionFromFhir,
  supervisionSessionToFhir,
  type ComplianceInput,
} from '../src/workforce/index.js';
import { parseRecord } from '../src/validate.js';
import { npiCheckDigit } from '../src/index.js';
import type { PeerEncounter, PeerSpecialist } from '../src/index.js';

const ORG = '1234567893';
const PEER = '1245319599';
const PEER2 = '1003000126';
// A valid NPI for the supervisor (core's check digit: Luhn over 80840 + nine digits).
const npi = (nine: string): string => `${nine}${npiCheckDigit(nine)}`;
const SUPERVISOR = npi('157890345');
const NS = 'https://ehr.example.org/ids';
const AGENCY = '1234567893';

const session = (overrides: Partial<SupervisionSession> = {}): SupervisionSession => ({
  id: 'sup-1', supervisorNpi: SUPERVISOR, peerNpis: [PEER], date: '2025-03-04', minutes: 60, mode: 'individual', modality: 'in-person', topics: ['boundaries', 'self-care'], organizationNpi: ORG, ...overrides,
});

describe('SupervisionSession', () => {
  it('maps to an Encounter without a subject that passes both validators and reads back', () => {
    for (const s of [session(), session({ id: 'sup-2', mode: 'group', peerNpis: [PEER, PEER2], modality: 'video', topics: [] })]) {
      const enc = supervisionSessionToFhir(s, { namespace: NS, agency: AGENCY });
      expect(enc.subject).toBeUndefined();
      expect(validationProblems(enc)).toEqual([]);
      expect(supervisionSessionFromFhir(enc, { namespace: NS, agency: AGENCY })).toEqual(s);
    }
  });
  it('rejects an individual session with two peers and a supervisor supervising themself', () => {
    const r = parseRecord(SupervisionSession, session({ peerNpis: [PEER, SUPERVISOR] }), 'SupervisionSession');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(['peerNpis', 'supervisorNpi']);
  });
  it('validates continuing education hours', () => {
    expect(parseRecord(ContinuingEducation, { id: 'ce-1', peerNpi: PEER, date: '2025-02-01', hours: 0, topic: 'Ethics' }, 'ContinuingEducation').ok).toBe(false);
  });
});

function peer(npiValue: string, credentials: PeerSpecialist['credentials']): PeerSpecialist {
  return { npi: npiValue, name: { family: 'Peer', given: [npiValue.slice(-3)] }, credentials, organizationNpi: ORG };
}
const cred = (issued: string, expires?: string) => ({ kind: 'CPSS', state: 'NC', number: `NC-${issued}`, issuer: 'NC program', issued, ...(expires ? { expires } : {}), endorsements: [] });
function enc(id: string, specialistNpi: string, day: string, participantId = 'p-1', minutes = 60): PeerEncounter {
  const end = new Date(Date.parse(`${day}T10:00:00Z`) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    id, mode: 'individual', attendees: [{ participantId, diagnoses: [], goalIds: [] }], status: 'finished', specialistNpi, organizationNpi: ORG,
    start: `${day}T10:00:00Z`, end, modality: 'in-person', setting: 'community', program: 'mental-health', supportTypes: [], activities: [], placeOfService: '99', serviceCode: 'H0038', part2: false,
  };
}
const base = (over: Partial<ComplianceInput> = {}): ComplianceInput => ({
  organization: { npi: ORG, name: 'Harbor | Peers' },
  period: { start: '2025-01-01', end: '2025-03-31' },
  specialists: [],
  encounters: [],
  supervisionSessions: [],
  continuingEducation: [],
  requirements: { credentialExpiryWarningDays: 30 },
  ...over,
});

describe('complianceReport rules', () => {
  it('warns about a credential expiring within the warning window and reports an expired one', () => {
    const r = complianceReport(base({ specialists: [peer(PEER, [cred('2020-01-01', '2025-04-15')]), peer(PEER2, [cred('2020-01-01', '2025-02-01')])] }));
    expect(r.findings.map((f) => [f.peerNpi, f.kind])).toEqual([
      [PEER2, 'credential-expired'],
      [PEER, 'credential-expiring'],
    ]);
    expect(r.findings.find((f) => f.kind === 'credential-expiring')).toMatchObject({ daysLeft: 15 });
  });
  it('does not report a lapsed credential that was renewed', () => {
    const r = complianceReport(base({ specialists: [peer(PEER, [cred('2020-01-01', '2025-01-31'), { ...cred('2025-02-01', '2027-01-31'), number: 'NC-2' }])] }));
    expect(r.findings).toEqual([]);
  });
  it('lists encounters whose date of service is outside every credential period', () => {
    const r = complianceReport(base({ specialists: [peer(PEER, [cred('2025-01-10', '2026-01-01')])], encounters: [enc('e1', PEER, '2025-01-05'), enc('e2', PEER, '2025-01-20')] }));
    expect(r.findings).toMatchObject([{ kind: 'service-without-credential', encounterIds: ['e1'], firstDate: '2025-01-05' }]);
  });
  it('requires supervision only in months with services, counting group sessions for every peer present', () => {
    const r = complianceReport(base({
      specialists: [peer(PEER, [cred('2020-01-01')]), peer(PEER2, [cred('2020-01-01')])],
      encounters: [enc('e1', PEER, '2025-01-05'), enc('e2', PEER2, '2025-01-06'), enc('e3', PEER, '2025-02-05')],
      supervisionSessions: [session({ id: 's1', mode: 'group', peerNpis: [PEER, PEER2], date: '2025-01-10', minutes: 120 }), session({ id: 's2', date: '2025-02-10', minutes: 90 })],
      requirements: { supervisionHoursPerMonth: 2 },
    }));
    expect(r.findings).toMatchObject([{ kind: 'under-supervised', peerNpi: PEER, month: '2025-02', hours: 1.5, requiredHours: 2 }]);
  });
  it('applies a per-service-hours supervision rule', () => {
    const encounters = Array.from({ length: 10 }, (_, i) => enc(`e${i}`, PEER, `2025-01-${String(i + 1).padStart(2, '0')}`, 'p-1', 240)); // 40 h
    const r = complianceReport(base({ specialists: [peer(PEER, [cred('2020-01-01')])], encounters, supervisionSessions: [session({ minutes: 60, date: '2025-01-20' })], requirements: { supervisionPerServiceHours: { hours: 1, per: 20 } } }));
    expect(r.findings).toMatchObject([{ kind: 'under-supervised', hours: 1, requiredHours: 2 }]);
  });
  it('pro-rates the CE renewal requirement to the period', () => {
    const r = complianceReport(base({
      specialists: [peer(PEER, [cred('2020-01-01')])],
      continuingEducation: [{ id: 'c1', peerNpi: PEER, date: '2025-02-01', hours: 2, topic: 'Ethics' }],
      requirements: { ceHoursPerRenewalPeriod: 24, renewalPeriodMonths: 24 },
    }));
    expect(r.findings).toMatchObject([{ kind: 'ce-short', hours: 2, requiredHours: 3 }]);
  });
  it('is JSON-serialisable and renders Markdown with every finding', () => {
    const r = complianceReport(base({ specialists: [peer(PEER, [])] }));
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const md = complianceReportToMarkdown(r);
    expect(md).toContain('# Workforce compliance: Harbor \\| Peers');
    expect(md).toContain('## No credential on file (1)');
  });
});
