import type { PeerEncounter } from '@peer-fhir/core';
import type { SyntheticAgency } from '@peer-fhir/testing/synthetic';

function supervisorOf(agency: SyntheticAgency, e: PeerEncounter) {
  return e.supervisorNpi ? agency.supervisors.find((c) => c.npi === e.supervisorNpi) : undefined;
}

/** The import rows of one synthetic encounter: one row per attendee. */
export function rowsOf(agency: SyntheticAgency, e: PeerEncounter): Record<string, string>[] {
  const specialist = agency.specialists.find((s) => s.npi === e.specialistNpi);
  const credential = specialist?.credentials[0];
  return e.attendees.map((a) => {
    const p = agency.participants.find((x) => x.id === a.participantId)!;
    const coverage = p.coverages[0];
    return {
      encounter_id: e.id,
      participant_id: p.id,
      participant_family: p.name.family,
      participant_given: p.name.given.join(' '),
      participant_birth_date: p.birthDate,
      participant_gender: p.gender,
      medicaid_id: coverage?.memberId ?? p.medicaidId ?? '',
      participant_address_line: p.address?.line[0] ?? '',
      participant_address_line2: p.address?.line[1] ?? '',
      participant_city: p.address?.city ?? '',
      participant_state: p.address?.state ?? '',
      participant_postal_code: p.address?.postalCode ?? '',
      specialist_npi: e.specialistNpi,
      specialist_family: specialist?.name.family ?? '',
      specialist_given: specialist?.name.given.join(' ') ?? '',
      credential: credential?.kind ?? '',
      credential_state: credential?.state ?? '',
      credential_expires: credential?.expires ?? '',
      supervisor_npi: e.supervisorNpi ?? '',
      supervisor_family: supervisorOf(agency, e)?.name.family ?? '',
      supervisor_given: supervisorOf(agency, e)?.name.given.join(' ') ?? '',
      start: e.start,
      end: e.end,
      modality: e.modality,
      setting: e.setting,
      program: e.program,
      group_id: e.groupId ?? '',
      support_types: e.supportTypes.join(';'),
      goal_ids: a.goalIds.join(';'),
      diagnosis_codes: a.diagnoses.join(';'),
      place_of_service: e.placeOfService,
      part2: String(e.part2),
      credential_number: credential?.number ?? '',
      credential_issued: credential?.issued ?? '',
      credential_issuer: credential?.issuer ?? '',
      credential_endorsements: credential?.endorsements.join(';') ?? '',
      coverage_start: coverage?.period.start ?? '',
      coverage_end: coverage?.period.end ?? '',
      activities: e.activities.join(';'),
      service_code: e.serviceCode,
      status: e.status,
    };
  });
}

