import { describe, expect, it } from 'vitest';
import { generateAgency } from '@peer-fhir/testing';
import type { Credential, PeerEncounter, PeerSpecialist } from '../src/index.js';
import { complianceReport, complianceReportToMarkdown, type ContinuingEducation, type SupervisionSession } from '../src/workforce/index.js';

// A year of synthetic data, first normalised so that it has no problems (valid credentials, monthly supervision,
// enough CE, caseloads spread round-robin), then seeded with exactly one problem of each kind.
const agency = generateAgency({ seed: 11, months: 12 });
const MONTHS = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);
const supervisor = agency.supervisors[0]?.npi ?? '';
const peers = agency.specialists.map((s) => s.npi);
const [OVERLOADED, EXPIRED, UNDER_SUPERVISED, SHORT_ON_CE, , DONOR] = peers as [string, string, string, string, string, string];

function credential(i: number, expires = '2030-12-31'): Credential {
  return { kind: 'CPSS', state: 'NC', number: `NC-${10000 + i}`, issuer: 'NC Certified Peer Support Specialist Program', issued: '2020-01-01', expires, endorsements: ['MH', 'SUD'] };
}

function normalisedAndSeeded() {
  const specialists: PeerSpecialist[] = agency.specialists.map((s, i) => ({ ...s, credentials: [credential(i, s.npi === EXPIRED ? '2025-06-30' : undefined)] }));
  // Balanced caseloads: participant i and group g belong to peer (i mod n); the donor's share goes to the overloaded peer.
  const owner = (index: number): string => {
    const npi = peers[index % peers.length] as string;
    return npi === DONOR ? OVERLOADED : npi;
  };
  const participantIndex = new Map(agency.participants.map((p, i) => [p.id, i]));
  const groupIndex = new Map<string, number>();
  const encounters: PeerEncounter[] = agency.encounters.map((e) => {
    if (e.mode === 'group') {
      const g = groupIndex.get(e.groupId ?? '') ?? groupIndex.size;
      groupIndex.set(e.groupId ?? '', g);
      return { ...e, specialistNpi: owner(g) };
    }
    return { ...e, specialistNpi: owner(participantIndex.get(e.attendees[0]?.participantId ?? '') ?? 0) };
  });
  const supervisionSessions: SupervisionSession[] = [];
  for (const month of MONTHS) {
    supervisionSessions.push({ id: `grp-${month}`, supervisorNpi: supervisor, peerNpis: peers, date: `${month}-20`, minutes: 60, mode: 'group', modality: 'in-person', topics: ['case review'] });
    for (const p of peers) {
      if (p === UNDER_SUPERVISED && month === '2025-03') continue; // seeded: one month short
      supervisionSessions.push({ id: `ind-${month}-${p}`, supervisorNpi: supervisor, peerNpis: [p], date: `${month}-05`, minutes: 60, mode: 'individual', modality: 'video', topics: ['self-care'] });
    }
  }
  const continuingEducation: ContinuingEducation[] = peers.flatMap((p, i) =>
    p === SHORT_ON_CE
      ? [{ id: `ce-${i}-1`, peerNpi: p, date: '2025-04-01', hours: 4, topic: 'Ethics' }] // seeded: 4 of 10 h
      : [
          { id: `ce-${i}-1`, peerNpi: p, date: '2025-03-01', hours: 6, topic: 'Ethics', credentialNumber: `NC-${10000 + i}` },
          { id: `ce-${i}-2`, peerNpi: p, date: '2025-09-01', hours: 6, topic: 'Trauma-informed care' },
        ],
  );
  return { specialists, encounters, supervisionSessions, continuingEducation };
}

describe('compliance report on a synthetic year with seeded problems', () => {
  const data = normalisedAndSeeded();
  const report = complianceReport({
    organization: { npi: agency.organization.npi, name: agency.organization.name },
    period: { start: '2025-01-01', end: '2025-12-31' },
    ...data,
    requirements: { credentialExpiryWarningDays: 60, supervisionHoursPerMonth: 2, ceHoursPerRenewalPeriod: 20, renewalPeriodMonths: 24, overloadFactor: 1.5 },
  });

  it('has the six peers and a year of encounters', () => {
    expect(peers).toHaveLength(6);
    expect(data.encounters.length).toBeGreaterThan(1000);
  });

  it('finds every seeded problem and nothing else', () => {
    const found = report.findings.map((f) => `${f.kind}:${f.peerNpi}${f.kind === 'under-supervised' ? `:${f.month}` : ''}`).sort();
    expect(found).toEqual(
      [
        `credential-expired:${EXPIRED}`,
        `service-without-credential:${EXPIRED}`,
        `under-supervised:${UNDER_SUPERVISED}:2025-03`,
        `ce-short:${SHORT_ON_CE}`,
        `overloaded:${OVERLOADED}`,
      ].sort(),
    );
  });

  it('dates the uncredentialed services after the expiry', () => {
    const f = report.findings.find((x) => x.kind === 'service-without-credential');
    expect(f?.kind === 'service-without-credential' && f.firstDate > '2025-06-30').toBe(true);
    const expected = data.encounters.filter((e) => e.specialistNpi === EXPIRED && e.status === 'finished' && e.start.slice(0, 10) > '2025-06-30').map((e) => e.id);
    expect(f?.kind === 'service-without-credential' ? f.encounterIds.sort() : []).toEqual(expected.sort());
  });

  it('reports the overloaded peer’s caseload against the team median', () => {
    const f = report.findings.find((x) => x.kind === 'overloaded');
    expect(f?.kind === 'overloaded' && f.caseload > 1.5 * f.medianCaseload).toBe(true);
    expect(complianceReportToMarkdown(report)).toContain('burnout risk');
  });
});
