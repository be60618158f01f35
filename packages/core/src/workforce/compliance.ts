/**
 * Workforce compliance report: credentials, services rendered without a valid credential, supervision, continuing
 * education and caseload (burnout risk). Pure: every input is passed in, nothing is fetched.
 * @module
 */
import * as z from 'zod';
import { DatePeriod, IsoDate } from '../domain/common.js';
import { encounterMinutes, type PeerEncounter } from '../domain/encounter.js';
import type { Credential, PeerSpecialist } from '../domain/specialist.js';
import { parseOrThrow } from '../validate.js';
import type { ContinuingEducation } from './continuing-education.js';
import { ComplianceRequirements } from './requirements.js';
import type { SupervisionSession } from './supervision.js';

/**
 * Everything a compliance report looks at. Encounters of other agencies, not `finished`, or outside the period are
 * ignored; `asOf` (default `period.end`) is the day credentials are judged on.
 * @see https://hl7.org/fhir/R4/encounter.html
 * @example
 * ```ts
 * const input: ComplianceInput = { organization: { npi: agency.npi, name: agency.name }, period: { start: '2025-01-01', end: '2025-12-31' },
 *   specialists, encounters, supervisionSessions, continuingEducation, requirements: { supervisionHoursPerMonth: 2 } };
 * ```
 * @category Workforce
 */
export interface ComplianceInput {
  organization: { npi: string; name: string };
  period: { start: string; end: string };
  asOf?: string | undefined;
  specialists: readonly PeerSpecialist[];
  encounters: readonly PeerEncounter[];
  supervisionSessions: readonly SupervisionSession[];
  continuingEducation: readonly ContinuingEducation[];
  requirements: ComplianceRequirements;
}

/**
 * One problem found. Every finding names the peer by NPI (a provider identifier, not PHI) and says what rule it
 * breaks; `message` is a sentence for people, the other fields are for code.
 * @see https://hl7.org/fhir/R4/practitioner-definitions.html#Practitioner.qualification
 * @example
 * ```ts
 * const late = report.findings.filter((f): f is Extract<ComplianceFinding, { kind: 'under-supervised' }> => f.kind === 'under-supervised');
 * ```
 * @category Workforce
 */
export type ComplianceFinding = { peerNpi: string; severity: 'error' | 'warning'; message: string } & (
  | { kind: 'credential-expired'; credentialKind: string; credentialNumber: string; expired: string }
  | { kind: 'credential-expiring'; credentialKind: string; credentialNumber: string; expires: string; daysLeft: number }
  | { kind: 'credential-missing' }
  | { kind: 'service-without-credential'; encounterIds: string[]; firstDate: string; lastDate: string }
  | { kind: 'under-supervised'; month: string; hours: number; requiredHours: number }
  | { kind: 'ce-short'; hours: number; requiredHours: number }
  | { kind: 'overloaded'; caseload: number; serviceHours: number; medianCaseload: number; medianServiceHours: number; over: ('caseload' | 'service-hours')[] }
);

/**
 * What the report knows about one peer over the period.
 * @see https://hl7.org/fhir/R4/practitionerrole.html
 * @example
 * ```ts
 * report.peers.map((p: PeerWorkload) => `${p.npi}: ${p.caseload} participants`);
 * ```
 * @category Workforce
 */
export interface PeerWorkload {
  npi: string;
  name: string;
  /** Distinct participants served. */
  caseload: number;
  encounters: number;
  serviceHours: number;
  supervisionHours: number;
  ceHours: number;
  /** Credentials valid on `asOf` (kind and number). */
  validCredentials: string[];
}

/**
 * The report: inputs echoed, one workload line per peer, findings sorted by peer and kind. Plain JSON data.
 * @see https://hl7.org/fhir/R4/measurereport.html
 * @example
 * ```ts
 * const json = JSON.stringify(complianceReport(input));
 * ```
 * @category Workforce
 */
export interface ComplianceReport {
  organization: { npi: string; name: string };
  period: { start: string; end: string };
  asOf: string;
  requirements: z.output<typeof ComplianceRequirements>;
  peers: PeerWorkload[];
  findings: ComplianceFinding[];
  counts: Record<ComplianceFinding['kind'], number>;
}

const DAY = 86_400_000;
const days = (a: string, b: string): number => Math.round((Date.parse(b) - Date.parse(a)) / DAY);
const round2 = (n: number): number => Math.round(n * 100) / 100;
const dateOf = (e: PeerEncounter): string => e.start.slice(0, 10); // local date of service (offset kept in the timestamp)
const credLabel = (c: Credential): string => `${c.kind} ${c.number}`;
const validOn = (c: Credential, date: string): boolean => c.issued <= date && (c.expires === undefined || date <= c.expires);

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function monthsOf(period: { start: string; end: string }): string[] {
  const out: string[] = [];
  let [y, m] = period.start.split('-').map(Number) as [number, number];
  const last = period.end.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) return out;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
}

function credentialFindings(peer: PeerSpecialist, asOf: string, warnDays: number): ComplianceFinding[] {
  const out: ComplianceFinding[] = [];
  if (peer.credentials.length === 0) {
    return [{ kind: 'credential-missing', peerNpi: peer.npi, severity: 'error', message: `Peer ${peer.npi} has no credential on file.` }];
  }
  for (const c of peer.credentials) {
    if (c.expires === undefined) continue;
    // A lapsed credential replaced by a valid one of the same kind (a renewal) is not a problem.
    const renewed = peer.credentials.some((o) => o !== c && o.kind === c.kind && validOn(o, asOf));
    if (c.expires < asOf && !renewed) {
      out.push({ kind: 'credential-expired', peerNpi: peer.npi, severity: 'error', credentialKind: c.kind, credentialNumber: c.number, expired: c.expires, message: `${credLabel(c)} of peer ${peer.npi} expired on ${c.expires}.` });
    } else if (c.expires >= asOf && days(asOf, c.expires) <= warnDays && !renewed) {
      const daysLeft = days(asOf, c.expires);
      out.push({ kind: 'credential-expiring', peerNpi: peer.npi, severity: 'warning', credentialKind: c.kind, credentialNumber: c.number, expires: c.expires, daysLeft, message: `${credLabel(c)} of peer ${peer.npi} expires on ${c.expires} (${daysLeft} days).` });
    }
  }
  return out;
}

/**
 * Check a team against workforce requirements over a period and list every finding: credentials expired or
 * expiring within `credentialExpiryWarningDays`, encounters whose date of service is outside every credential
 * period, months with less supervision than required (months without services need none; group supervision counts
 * in full for each peer present), CE hours short of the pro-rated renewal requirement, and peers whose caseload
 * (distinct participants) or service hours exceed `overloadFactor` × the team median.
 *
 * @param input - the team, its credentials, supervision and training records, the period and the requirements
 * @returns every finding per peer, with counts
 * @see https://hl7.org/fhir/R4/practitioner-definitions.html#Practitioner.qualification
 * @example
 * ```ts
 * const report = complianceReport({ organization: { npi, name }, period: { start: '2025-01-01', end: '2025-12-31' },
 *   specialists, encounters, supervisionSessions, continuingEducation,
 *   requirements: { credentialExpiryWarningDays: 60, supervisionHoursPerMonth: 2, ceHoursPerRenewalPeriod: 20, overloadFactor: 1.5 } });
 * console.log(complianceReportToMarkdown(report));
 * ```
 * @category Workforce
 */
export function complianceReport(input: ComplianceInput): ComplianceReport {
  const period = parseOrThrow(DatePeriod, input.period, 'ComplianceInput.period') as { start: string; end: string };
  if (period.end === undefined) throw new TypeError('period.end is required');
  const asOf = input.asOf === undefined ? period.end : parseOrThrow(IsoDate, input.asOf, 'ComplianceInput.asOf');
  const req = parseOrThrow(ComplianceRequirements, input.requirements, 'ComplianceRequirements');
  const inPeriod = (d: string): boolean => d >= period.start && d <= period.end;
  const org = input.organization.npi;
  const team = input.specialists.filter((s) => s.organizationNpi === org);
  const encounters = input.encounters.filter((e) => e.organizationNpi === org && e.status === 'finished' && inPeriod(dateOf(e)));
  const findings: ComplianceFinding[] = [];
  const peers: PeerWorkload[] = [];
  const months = monthsOf(period);
  const renewalShare = months.length / req.renewalPeriodMonths;

  for (const peer of team) {
    findings.push(...credentialFindings(peer, asOf, req.credentialExpiryWarningDays));
    const mine = encounters.filter((e) => e.specialistNpi === peer.npi);
    const uncredentialed = mine.filter((e) => !peer.credentials.some((c) => validOn(c, dateOf(e)))).sort((a, b) => a.start.localeCompare(b.start));
    if (uncredentialed.length > 0) {
      const firstDate = dateOf(uncredentialed[0] as PeerEncounter);
      const lastDate = dateOf(uncredentialed[uncredentialed.length - 1] as PeerEncounter);
      findings.push({ kind: 'service-without-credential', peerNpi: peer.npi, severity: 'error', encounterIds: uncredentialed.map((e) => e.id), firstDate, lastDate,
        message: `Peer ${peer.npi} rendered ${uncredentialed.length} encounter(s) between ${firstDate} and ${lastDate} with no valid credential.` });
    }
    const sessions = input.supervisionSessions.filter((s) => s.peerNpis.includes(peer.npi) && inPeriod(s.date));
    if (req.supervisionHoursPerMonth !== undefined || req.supervisionPerServiceHours !== undefined) {
      for (const month of months) {
        const served = mine.filter((e) => dateOf(e).startsWith(month));
        if (served.length === 0) continue;
        const serviceHours = served.reduce((a, e) => a + encounterMinutes(e), 0) / 60;
        const perService = req.supervisionPerServiceHours ? (serviceHours / req.supervisionPerServiceHours.per) * req.supervisionPerServiceHours.hours : 0;
        const required = round2(Math.max(req.supervisionHoursPerMonth ?? 0, perService));
        const hours = round2(sessions.filter((s) => s.date.startsWith(month)).reduce((a, s) => a + s.minutes, 0) / 60);
        if (hours < required) {
          findings.push({ kind: 'under-supervised', peerNpi: peer.npi, severity: 'error', month, hours, requiredHours: required, message: `Peer ${peer.npi} had ${hours} h of supervision in ${month}; ${required} h required.` });
        }
      }
    }
    const ceHours = round2(input.continuingEducation.filter((c) => c.peerNpi === peer.npi && inPeriod(c.date)).reduce((a, c) => a + c.hours, 0));
    if (req.ceHoursPerRenewalPeriod !== undefined) {
      const required = round2(req.ceHoursPerRenewalPeriod * renewalShare);
      if (ceHours < required) {
        findings.push({ kind: 'ce-short', peerNpi: peer.npi, severity: 'warning', hours: ceHours, requiredHours: required, message: `Peer ${peer.npi} has ${ceHours} CE hours in the period; ${required} expected (${req.ceHoursPerRenewalPeriod} per ${req.renewalPeriodMonths} months).` });
      }
    }
    peers.push({
      npi: peer.npi,
      name: [...peer.name.given, peer.name.family].join(' '),
      caseload: new Set(mine.flatMap((e) => e.attendees.map((a) => a.participantId))).size,
      encounters: mine.length,
      serviceHours: round2(mine.reduce((a, e) => a + encounterMinutes(e), 0) / 60),
      supervisionHours: round2(sessions.reduce((a, s) => a + s.minutes, 0) / 60),
      ceHours,
      validCredentials: peer.credentials.filter((c) => validOn(c, asOf)).map(credLabel),
    });
  }

  const medianCaseload = median(peers.map((p) => p.caseload));
  const medianServiceHours = round2(median(peers.map((p) => p.serviceHours)));
  for (const p of peers) {
    const over: ('caseload' | 'service-hours')[] = [];
    if (medianCaseload > 0 && p.caseload > req.overloadFactor * medianCaseload) over.push('caseload');
    if (medianServiceHours > 0 && p.serviceHours > req.overloadFactor * medianServiceHours) over.push('service-hours');
    if (over.length > 0) {
      findings.push({ kind: 'overloaded', peerNpi: p.npi, severity: 'warning', caseload: p.caseload, serviceHours: p.serviceHours, medianCaseload, medianServiceHours, over,
        message: `Peer ${p.npi} carries ${p.caseload} participants / ${p.serviceHours} h (team median ${medianCaseload} / ${medianServiceHours} h), above ${req.overloadFactor}x: burnout risk.` });
    }
  }

  const kinds: ComplianceFinding['kind'][] = ['credential-expired', 'credential-expiring', 'credential-missing', 'service-without-credential', 'under-supervised', 'ce-short', 'overloaded'];
  const counts = Object.fromEntries(kinds.map((k) => [k, findings.filter((f) => f.kind === k).length])) as Record<ComplianceFinding['kind'], number>;
  findings.sort((a, b) => a.peerNpi.localeCompare(b.peerNpi) || kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
  return { organization: { ...input.organization }, period: { start: period.start, end: period.end }, asOf, requirements: req, peers, findings, counts };
}
