/**
 * Billable lines -> FHIR R4 Claim (professional), one per participant x payer x billing period as the pack says.
 * @module
 */
import { identifierSystems, part2SecurityLabels, PeerFhirValidationError, PEER_SPECIALIST_TAXONOMY, Profiles, Systems, type RecordKey } from '@peer-fhir/core';
import type { Claim, ClaimCareTeam, ClaimDiagnosis, ClaimItem } from 'fhir/r4.js';
import type { BillingLine } from '../decision.js';
import { billingRolesOf, type RulePack } from '../pack/schema.js';
import { monthOf } from '../internal/dates.js';
import { patientControlNumber } from './control-number.js';
import { claimKeys, coverageRef, encounterRef, organizationRef, patientRef, payerRef, practitionerRef, practitionerRoleRef } from './references.js';

const CLAIM_TYPE = Systems.CLAIM_TYPE;
const CARE_TEAM_ROLE = Systems.CLAIM_CARE_TEAM_ROLE;
const PROCESS_PRIORITY = Systems.PROCESS_PRIORITY;
const CPT = Systems.CPT;

/**
 * Options for {@link buildClaims}.
 *
 * @see https://hl7.org/fhir/R4/claim.html
 * @example
 * ```ts
 * buildClaims(result.lines, { pack, created: '2025-02-01', namespace: 'https://ehr.example.org/ids' });
 * ```
 * @category Claims
 */
export interface ClaimOptions {
  /** The pack whose claim grouping applies (month or date of service). */
  pack: RulePack;
  /** `Claim.created` (FHIR dateTime); pass it for reproducible output. Defaults to today's date. */
  created?: string;
  /** Identifier namespace prefix, the same one given to core's mappers (identifiers are scoped per agency). */
  namespace?: string | undefined;
  /**
   * Resolves the participant's Patient to its literal reference (`Patient/123`, or a `urn:uuid` fullUrl inside a
   * bundle), like `toFhir`'s `existing`. `Claim?patient=` matches literal references only; without an answer the
   * patient reference is logical (identifier only). {@link buildClaimBundle} answers with the bundle's fullUrls.
   */
  existing?: (key: RecordKey) => string | undefined;
  /**
   * Claim identifiers already used by claims sent before (`PriorClaim.claimId`): a new original for the same claim
   * group (a service added to a month already claimed, a claim rejected before adjudication) gets `_N<n>` so its
   * conditional create is not taken for the earlier claim.
   */
  claimIdsInUse?: ReadonlySet<string> | undefined;
  /**
   * NUCC taxonomy codes of supervisors, by NPI (a peer's own is always 175T00000X). A supervisor's taxonomy goes on
   * the Claim as the care-team member's `qualification`; when the pack's billing roles make the supervisor the
   * rendering provider (Medicare incident-to), the 837P writes it as 2310B PRV*PE*PXC. Without one, no PRV is sent.
   */
  supervisorTaxonomies?: Readonly<Record<string, string>> | undefined;
}

/** `value`, or `value_N<n>` with the first n not in `taken`. */
function unusedId(value: string, taken: ReadonlySet<string> | undefined): string {
  if (!taken?.has(value)) return value;
  // Derived, not suffixed: a suffix would pass CLM01's 20 characters.
  let n = 1;
  while (taken.has(patientControlNumber(`${value}#${n}`))) n++;
  return patientControlNumber(`${value}#${n}`);
}

const money = (value: number) => ({ value: Math.round(value * 100) / 100, currency: 'USD' });

// Numeric modifiers (93, 95) are CPT modifiers; letter modifiers (HQ, HF, GT, UK, U1…) are HCPCS Level II.
const modifierCoding = (m: string) => ({ coding: [{ system: /^\d{2}$/.test(m) ? CPT : Systems.HCPCS, code: m }] });

/**
 * The claim a line belongs to: agency, participant, payer coverage and period (the pack's `claimGrouping`), and the
 * providers the 837P names for the whole claim (2310B rendering, 2310D supervising under the pack's billing roles), so
 * lines by different peers or supervisors are never sent under one claim's provider.
 */
function claimKey(l: BillingLine, pack: RulePack): string {
  const p = pack.claimGrouping.period === 'month' ? monthOf(l.dateOfService) : l.dateOfService;
  const roles = billingRolesOf(pack);
  const rendering = roles.rendering === 'supervisor' ? (l.supervisorNpi ?? '') : l.specialistNpi;
  const supervising = roles.rendering === 'peer' && roles.supervising === 'supervisor' ? (l.supervisorNpi ?? '') : '';
  return [l.organizationNpi, l.participantId, l.payerId, l.memberId, l.coverageStart, p, rendering, supervising].join('|');
}

/** Group lines the way the pack says claims are grouped; deterministic order. @internal */
export function groupLines(lines: readonly BillingLine[], pack: RulePack): BillingLine[][] {
  const groups = new Map<string, BillingLine[]>();
  for (const l of lines) {
    const k = claimKey(l, pack);
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, ls]) =>
      [...ls].sort((a, b) => a.dateOfService.localeCompare(b.dateOfService) || a.encounterId.localeCompare(b.encounterId) || a.code.localeCompare(b.code)),
    );
}

type TeamSeq = (key: string, make: (sequence: number) => ClaimCareTeam) => number;

const teamRole = (code: string, display: string) => ({ coding: [{ system: CARE_TEAM_ROLE, code, display }] });
const peerQualification = { coding: [{ system: Systems.NUCC, code: PEER_SPECIALIST_TAXONOMY.code, display: PEER_SPECIALIST_TAXONOMY.display }] };

/**
 * The care-team members of one line, as the pack's billing roles say (837P 2310B rendering, 2310D supervising): the
 * `primary` member renders; with `rendering: 'supervisor'` that is the supervisor and the peer is an assisting member
 * (on the FHIR Claim, not on the 837P). A supervisor who must render but is missing is an error, never a silent swap.
 */
/** A supervisor's NUCC taxonomy as a care-team qualification, when the caller knows it. */
function supervisorQualification(npi: string, taxonomies: ClaimOptions['supervisorTaxonomies']): Pick<ClaimCareTeam, 'qualification'> {
  const code = taxonomies?.[npi];
  return code ? { qualification: { coding: [{ system: Systems.NUCC, code }] } } : {};
}

function careTeamOf(l: BillingLine, roles: ReturnType<typeof billingRolesOf>, keys: ReturnType<typeof claimKeys>, teamSeq: TeamSeq, taxonomies: ClaimOptions['supervisorTaxonomies']): number[] {
  const peerAs = (code: 'primary' | 'assist', display: string) =>
    teamSeq(`${code}|${l.specialistNpi}`, (sequence) => ({
      sequence,
      provider: practitionerRoleRef(keys, l.specialistNpi, l.organizationNpi),
      ...(code === 'primary' ? { responsible: true } : {}),
      role: teamRole(code, display),
      qualification: peerQualification,
    }));
  const supervisorAs = (code: 'primary' | 'supervisor', display: string) =>
    teamSeq(`${code}|${l.supervisorNpi}`, (sequence) => ({
      sequence,
      provider: practitionerRef(keys, l.supervisorNpi as string),
      ...(code === 'primary' ? { responsible: true } : {}),
      role: teamRole(code, display),
      ...supervisorQualification(l.supervisorNpi as string, taxonomies),
    }));
  if (roles.rendering === 'supervisor') {
    if (!l.supervisorNpi) throw new PeerFhirValidationError('Claim', [{ path: 'lines.supervisorNpi', code: 'required', message: 'the pack bills under the supervisor, and this line names none' }], 'billing.rendering-missing');
    return [supervisorAs('primary', 'Primary provider'), peerAs('assist', 'Assisting Provider')];
  }
  const team = [peerAs('primary', 'Primary provider')];
  if (l.supervisorNpi && roles.supervising === 'supervisor') team.push(supervisorAs('supervisor', 'Supervising Provider'));
  return team;
}

function buildOne(lines: readonly BillingLine[], options: ClaimOptions, created: string): Claim {
  const first = lines[0] as BillingLine;
  // A claim group is one agency's (the grouping key starts with its NPI): its identifiers are that agency's.
  const scope = { agency: first.organizationNpi, namespace: options.namespace };
  const ids = identifierSystems(scope);
  const keys = claimKeys(scope);

  const careTeam: ClaimCareTeam[] = [];
  const teamIndex = new Map<string, number>();
  const teamSeq = (key: string, make: (sequence: number) => ClaimCareTeam) => {
    const known = teamIndex.get(key);
    if (known !== undefined) return known;
    careTeam.push(make(careTeam.length + 1));
    teamIndex.set(key, careTeam.length);
    return careTeam.length;
  };
  const diagnosis: ClaimDiagnosis[] = [];
  const dxSeq = (code: string) => {
    const i = diagnosis.findIndex((d) => d.diagnosisCodeableConcept?.coding?.[0]?.code === code);
    if (i >= 0) return i + 1;
    diagnosis.push({ sequence: diagnosis.length + 1, diagnosisCodeableConcept: { coding: [{ system: Systems.ICD10CM, code }] } });
    return diagnosis.length;
  };

  const roles = billingRolesOf(options.pack);
  const item: ClaimItem[] = lines.map((l, idx) => {
    const team = careTeamOf(l, roles, keys, teamSeq, options.supervisorTaxonomies);
    const dx = l.diagnoses.slice(0, 4).map(dxSeq);
    return {
      sequence: idx + 1,
      careTeamSequence: team,
      ...(dx.length ? { diagnosisSequence: dx } : {}),
      productOrService: { coding: [{ system: Systems.HCPCS, code: l.code }] },
      ...(l.modifiers.length ? { modifier: l.modifiers.map(modifierCoding) } : {}),
      servicedDate: l.dateOfService,
      locationCodeableConcept: { coding: [{ system: Systems.CMS_POS, code: l.placeOfService }] },
      quantity: { value: l.units },
      ...(l.rate !== null ? { unitPrice: money(l.rate) } : {}),
      ...(l.charge !== null ? { net: money(l.charge) } : {}),
      encounter: [encounterRef(keys, l)],
    };
  });

  const refs = [...new Set(lines.flatMap((l) => (l.preAuthRef ? [l.preAuthRef] : [])))].sort();
  const part2 = lines.some((l) => l.part2);
  const priced = lines.every((l) => l.charge !== null);
  const dates = lines.map((l) => l.dateOfService).sort();
  return {
    resourceType: 'Claim',
    meta: { profile: [Profiles.PeerProfessionalClaim], ...(part2 ? { security: part2SecurityLabels() } : {}) },
    // 837P CLM01 / 835 CLP01: ≤ 20 upper-case characters, one per claim group (the full grouping key, coverage and providers
    // included); a group already used by a standing claim of the period gets the next unused number.
    identifier: [{ system: ids.claim, value: unusedId(patientControlNumber(claimKey(first, options.pack)), options.claimIdsInUse) }],
    status: 'active',
    type: { coding: [{ system: CLAIM_TYPE, code: 'professional', display: 'Professional' }] },
    use: 'claim',
    patient: patientRef(keys, first.participantId, options.existing),
    billablePeriod: { start: dates[0] as string, end: dates.at(-1) as string },
    created,
    insurer: payerRef(keys, first),
    provider: organizationRef(keys, first.organizationNpi),
    priority: { coding: [{ system: PROCESS_PRIORITY, code: 'normal' }] },
    careTeam,
    ...(diagnosis.length ? { diagnosis } : {}),
    insurance: [{ sequence: 1, focal: true, coverage: coverageRef(keys, first), ...(refs.length ? { preAuthRef: refs } : {}) }],
    item,
    ...(priced ? { total: money(lines.reduce((s, l) => s + (l.charge as number), 0)) } : {}),
  };
}

/**
 * Build FHIR R4 professional Claims from billable lines: one Claim per billing organization x participant x payer
 * coverage x billing period (the pack's `claimGrouping`). Claims with Part 2 lines carry DS4P `meta.security`
 * (R, 42CFRPart2, SUD, NORDSCLCD). References are by identifier to what core's mappers write. FHIR Claim is the
 * internal/exchange model; Medicaid submission is X12 837P (see @peer-fhir/x12).
 *
 * @param lines - billable lines from `evaluate`
 * @param options - claim building options (identity scope, payer, taxonomies)
 * @returns one professional Claim per claim group, lines in order
 * @see https://hl7.org/fhir/R4/claim.html
 * @example
 * ```ts
 * const result = evaluate(ctx);
 * const claims = buildClaims(result.lines, { pack: ctx.pack, created: '2025-02-01' });
 * ```
 * @category Claims
 */
export function buildClaims(lines: readonly BillingLine[], options: ClaimOptions): Claim[] {
  const created = options.created ?? new Date().toISOString().slice(0, 10);
  return groupLines(lines, options.pack).map((g) => buildOne(g, options, created));
}
