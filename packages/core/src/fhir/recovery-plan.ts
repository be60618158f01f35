import type { CarePlan, CareTeam, Extension, Goal, Provenance, Reference } from 'fhir/r4.js';
import type { RecoveryGoal, RecoveryPlan } from '../domain/recovery-plan.js';
import type { PeerSpecialist } from '../domain/specialist.js';
import { LifeDomains, PEER_SPECIALIST_TAXONOMY, SignatureTypes } from '../terminology/codes.js';
import type { IdentifierSystems } from '../terminology/identifiers.js';
import { Extensions, Profiles, Systems } from '../terminology/systems.js';
import { logicalRef, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { codeable, coding, keyIdentifier, reference } from './internal/fresh.js';
import { identifierValue, refIdentifier, type ResourceIndex } from './internal/resolver.js';
import { patientKey } from './patient.js';
import { organizationKey } from './organization.js';
import { addClinician, clinicianFromFhir, practitionerKey, practitionerRoleKey } from './practitioner.js';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function planKey(ids: IdentifierSystems, planId: string): EntryKey {
  return { resourceType: 'CarePlan', search: 'identifier', system: ids.plan, value: planId };
}

function goalToFhir(b: TransactionBuilder, g: RecoveryGoal, patient: Reference): Goal {
  return {
    resourceType: 'Goal',
    meta: { profile: [Profiles.Goal] },
    identifier: [{ system: b.ids.goal, value: g.id }],
    lifecycleStatus: g.status,
    ...(g.achievement ? { achievementStatus: codeable(coding(Systems.GOAL_ACHIEVEMENT, g.achievement)) } : {}),
    category: [codeable(coding(Systems.PEER_LIFE_DOMAIN, g.domain, LifeDomains[g.domain]))],
    description: { text: g.text },
    subject: patient,
    ...(g.targetDate ? { target: [{ dueDate: g.targetDate }] } : {}),
    expressedBy: patient,
    ...(g.progressNotes.length
      ? {
          note: g.progressNotes.map((n) => ({
            time: n.date,
            text: n.text,
            ...(n.authorNpi ? { authorReference: logicalRef('Practitioner', Systems.NPI, n.authorNpi) } : {}),
          })),
        }
      : {}),
  };
}

// The steps below take their references as positional parameters, not an object: property names survive
// minification, and this module is in the browser mapping bundle held to 40 KiB (test/e2e/browser-bundle.test.ts).

/** The CareTeam: the peer (NUCC peer specialist), the participant, and the co-signing clinician when there is one. */
function addCareTeam(b: TransactionBuilder, plan: RecoveryPlan, patient: Reference, peerRef: Reference, clinicianRef: Reference | undefined): Reference {
  const careTeamKey: EntryKey = { resourceType: 'CareTeam', search: 'identifier', system: b.ids.careTeam, value: plan.id };
  const careTeam: CareTeam = {
    resourceType: 'CareTeam',
    meta: { profile: [Profiles.CareTeam] },
    identifier: [keyIdentifier(careTeamKey)],
    status: 'active',
    subject: patient,
    participant: [
      { role: [codeable(coding(Systems.NUCC, PEER_SPECIALIST_TAXONOMY.code, PEER_SPECIALIST_TAXONOMY.display))], member: peerRef },
      { role: [codeable(coding(Systems.SNOMED, '116154003', 'Patient'))], member: patient },
      ...(clinicianRef ? [{ role: [codeable(coding(Systems.PEER_CARE_TEAM_ROLE, 'clinician', 'Co-signing clinician'))], member: clinicianRef }] : []),
    ],
  };
  return b.add(careTeamKey, careTeam);
}

/** The CarePlan (US Core assess-plan + peer recovery-plan categories), with strengths, crisis plan and review date as extensions. */
function addCarePlan(b: TransactionBuilder, plan: RecoveryPlan, patient: Reference, peerRef: Reference, peerPractitioner: Reference, clinicianRef: Reference | undefined, careTeamRef: Reference, goalRefs: Reference[]): Reference {
  const extension: Extension[] = [
    ...plan.strengths.map((s) => ({ url: Extensions.Strength, valueString: s })),
    ...(plan.crisisPlan ? [{ url: Extensions.CrisisPlan, valueString: plan.crisisPlan }] : []),
    { url: Extensions.ReviewDue, valueDate: plan.reviewDue },
  ];
  const narrative = `<div xmlns="http://www.w3.org/1999/xhtml"><p>Recovery plan</p><ul>${plan.goals
    .map((g) => `<li>${escapeHtml(LifeDomains[g.domain])}: ${escapeHtml(g.text)}</li>`)
    .join('')}</ul></div>`;
  const key = planKey(b.ids, plan.id);
  const carePlan: CarePlan = {
    resourceType: 'CarePlan',
    meta: { profile: [Profiles.CarePlan] },
    text: { status: 'generated', div: narrative },
    extension,
    identifier: [keyIdentifier(key)],
    status: plan.status,
    intent: 'plan',
    category: [
      codeable(coding(Systems.CAREPLAN_CATEGORY_US_CORE, 'assess-plan', 'Assessment and Plan of Treatment')),
      codeable(coding(Systems.PEER_PLAN_CATEGORY, 'recovery-plan', 'Person-centred recovery plan')),
    ],
    subject: patient,
    period: { ...plan.period },
    author: peerRef,
    contributor: [patient, peerPractitioner, ...(clinicianRef ? [clinicianRef] : [])],
    careTeam: [careTeamRef],
    goal: goalRefs,
  };
  return b.add(key, carePlan);
}

/**
 * One Provenance per signature. US Core Provenance provenance-1: an agent who is a Practitioner acts on behalf of an
 * organization; peers and co-signing clinicians sign for the peer's agency. Unknown when the peer is not in the input:
 * such a signature claims peer-fhir's signature profile only.
 */
function addSignatures(b: TransactionBuilder, plan: RecoveryPlan, planRef: Reference, patient: Reference, peerPractitioner: Reference, clinicianRef: Reference | undefined, peer: PeerSpecialist | undefined): void {
  const agencyKey = peer ? organizationKey(peer.organizationNpi) : undefined;
  const agency = peer && agencyKey ? (b.refIfPresent(agencyKey) ?? logicalRef('Organization', Systems.NPI, peer.organizationNpi)) : undefined;
  for (const s of plan.signatures) {
    const who = s.role === 'participant' ? patient : s.role === 'peer' ? peerPractitioner : clinicianRef!;
    const onBehalfOf = s.role === 'participant' ? undefined : agency;
    const usCore = s.role === 'participant' || onBehalfOf !== undefined;
    const sigType = SignatureTypes[s.role];
    const tagValue = `${plan.id}:${s.role}:${s.signedAt.replace(/[^0-9]/g, '')}`;
    const provenance: Provenance = {
      resourceType: 'Provenance',
      meta: { profile: usCore ? [Profiles.Provenance, Profiles.PeerPlanSignature] : [Profiles.PeerPlanSignature], tag: [coding(Systems.PEER_RECORD_KEY, tagValue)] },
      target: [planRef],
      recorded: s.signedAt,
      agent: [
        {
          type: codeable(coding(Systems.PROVENANCE_PARTICIPANT_TYPE, s.role === 'clinician' ? 'verifier' : 'author')),
          who,
          ...(onBehalfOf ? { onBehalfOf: { ...onBehalfOf } } : {}),
        },
      ],
      signature: [{ type: [coding(Systems.SIGNATURE_TYPE, sigType.code, sigType.display)], when: s.signedAt, who }],
    };
    b.add({ resourceType: 'Provenance', search: '_tag', system: Systems.PEER_RECORD_KEY, value: tagValue }, provenance);
  }
}

/**
 * Adds a recovery plan: CarePlan (US Core, assess-plan), one Goal per goal (expressed by the participant),
 * a CareTeam, and one Provenance per signature.
 */
export function addRecoveryPlan(b: TransactionBuilder, plan: RecoveryPlan, idx: number, specialists: ReadonlyMap<string, PeerSpecialist>, latest: ReadonlyMap<string, RecoveryPlan>): void {
  const pKey = patientKey(b.ids, plan.participantId);
  if (!b.has(pKey)) {
    b.problem(`plans[${idx}].participantId`, 'missing_reference', 'the participant is not in the input');
    return;
  }
  const patient = b.ref(pKey);
  const peer = specialists.get(plan.peerNpi);
  const roleKey = peer ? practitionerRoleKey(b, peer.npi, peer.organizationNpi) : undefined;
  const peerRef = (roleKey && b.refIfPresent(roleKey)) ?? logicalRef('Practitioner', Systems.NPI, plan.peerNpi);
  const peerPractitioner = b.refIfPresent(practitionerKey(plan.peerNpi)) ?? logicalRef('Practitioner', Systems.NPI, plan.peerNpi);
  const clinicianRef = plan.clinician ? addClinician(b, plan.clinician) : undefined;
  const goalRefs = plan.goals.map((g, j) => {
    const key: EntryKey = { resourceType: 'Goal', search: 'identifier', system: b.ids.goal, value: g.id };
    const last = latest.get(g.id);
    // A later version of the participant's plan names this goal: its Goal is that version's (see `latestPlans`).
    return last?.participantId === plan.participantId && last.period.start > plan.period.start
      ? reference(b.fullUrl(key))
      : b.add(key, goalToFhir(b, g, patient), `plans[${idx}].goals[${j}]`);
  });
  const careTeamRef = addCareTeam(b, plan, patient, peerRef, clinicianRef);
  const planRef = addCarePlan(b, plan, patient, peerRef, peerPractitioner, clinicianRef, careTeamRef, goalRefs);
  addSignatures(b, plan, planRef, patient, peerPractitioner, clinicianRef, peer);
}

/**
 * The plan each goal id takes its Goal from: of the plans naming it, the one that starts last. A Goal is one resource
 * whose state changes over time, and a plan review writes a new plan version that carries the same goals forward, so
 * a plan history holds one goal in several states; a transaction can create only one. Plans of the same start stay
 * side by side: two different contents there are refused as a conflicting duplicate, as are plans of two participants
 * naming one goal (docs/mapping.md, "Plan versions").
 */
export function latestPlans(plans: readonly RecoveryPlan[]): Map<string, RecoveryPlan> {
  const latest = new Map<string, RecoveryPlan>();
  for (const p of plans) for (const g of p.goals) if ((latest.get(g.id)?.period.start ?? '') < p.period.start) latest.set(g.id, p);
  return latest;
}

/** Read a CarePlan (with its Goals, CareTeam and signature Provenance) back into a RecoveryPlan-shaped object. */
const provenanceTargets = (p: Provenance) => p.target;

export function recoveryPlanFromFhir(index: ResourceIndex, ids: IdentifierSystems, cp: CarePlan): unknown {
  const ext = cp.extension ?? [];
  const careTeam = index.resolve(cp.careTeam?.[0], 'CareTeam');
  const clinicianRef = careTeam?.participant?.find((p) => p.role?.some((r) => r.coding?.some((c) => c.code === 'clinician')))?.member;
  const clinician = index.resolve(clinicianRef, 'Practitioner');
  const author = cp.author?.identifier ? cp.author : index.resolve(cp.author, 'PractitionerRole')?.practitioner;
  const peerNpi = refIdentifier(index, author, Systems.NPI);
  const roleOf: Record<string, 'participant' | 'peer' | 'clinician'> = Object.fromEntries(
    Object.entries(SignatureTypes).map(([role, t]) => [t.code, role as 'participant' | 'peer' | 'clinician']),
  );
  const signatures = index
    .referencing('Provenance', cp, provenanceTargets)
    .flatMap((p) => p.signature ?? [])
    .map((s) => ({ role: roleOf[s.type[0]?.code ?? ''], signedAt: s.when }));
  const goals = (cp.goal ?? []).map((ref) => {
    const g = index.resolve(ref, 'Goal');
    if (!g) return undefined;
    const target = g.target?.[0]?.dueDate;
    const achievement = g.achievementStatus?.coding?.[0]?.code;
    return {
      id: identifierValue(g, ids.goal),
      text: g.description.text,
      domain: g.category?.[0]?.coding?.find((c) => c.system === Systems.PEER_LIFE_DOMAIN)?.code,
      ...(target ? { targetDate: target } : {}),
      status: g.lifecycleStatus,
      ...(achievement ? { achievement } : {}),
      progressNotes: (g.note ?? []).map((n) => ({
        date: n.time,
        text: n.text,
        ...(n.authorReference?.identifier?.value ? { authorNpi: n.authorReference.identifier.value } : {}),
      })),
    };
  });
  const crisisPlan = ext.find((e) => e.url === Extensions.CrisisPlan)?.valueString;
  return {
    id: identifierValue(cp, ids.plan),
    participantId: refIdentifier(index, cp.subject, ids.participant),
    peerNpi,
    ...(clinician ? { clinician: clinicianFromFhir(clinician) } : {}),
    period: { start: cp.period?.start, ...(cp.period?.end ? { end: cp.period.end } : {}) },
    status: cp.status,
    goals,
    strengths: ext.filter((e) => e.url === Extensions.Strength).map((e) => e.valueString),
    ...(crisisPlan ? { crisisPlan } : {}),
    reviewDue: ext.find((e) => e.url === Extensions.ReviewDue)?.valueDate,
    signatures,
  };
}
