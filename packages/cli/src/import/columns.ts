/**
 * The columns of the import format (docs/import-format.md), in template order. Required ones first; the rest may be
 * empty. CSV files use them as the header; NDJSON objects use them as keys.
 *
 * @example
 * ```ts
 * import { IMPORT_COLUMNS } from '@peer-fhir/cli';
 * console.log(IMPORT_COLUMNS.join(','));
 * ```
 * @category Import
 */
export const IMPORT_COLUMNS = [
  'encounter_id',
  'participant_id',
  'participant_family',
  'participant_given',
  'participant_birth_date',
  'participant_gender',
  'medicaid_id',
  'specialist_npi',
  'specialist_family',
  'specialist_given',
  'credential',
  'credential_state',
  'credential_expires',
  'supervisor_npi',
  'start',
  'end',
  'modality',
  'setting',
  'program',
  'group_id',
  'support_types',
  'goal_ids',
  'diagnosis_codes',
  'place_of_service',
  'part2',
  // Optional extensions (may be left out of the file entirely).
  'credential_number',
  'credential_issued',
  'credential_issuer',
  'credential_endorsements',
  'supervisor_family',
  'supervisor_given',
  'coverage_start',
  'coverage_end',
  // 837P 2010BA N3/N4: the participant is the subscriber, whose address the TR3 requires (billing holds without it).
  'participant_address_line',
  'participant_address_line2',
  'participant_city',
  'participant_state',
  'participant_postal_code',
  'activities',
  'service_code',
  'status',
  // The named place of the contact (US Core Encounter.location -> US Core Location): id and name, address optional.
  'location_id',
  'location_name',
  'location_address_line',
  'location_city',
  'location_state',
  'location_postal_code',
] as const;

/**
 * One import column name.
 * @example
 * ```ts
 * const c: ImportColumn = 'encounter_id';
 * ```
 * @category Import
 */
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/**
 * Column added to rows in a rejects file: every reason, `; `-separated. Ignored when the file is imported again.
 * @example
 * ```ts
 * row[REJECT_REASONS_COLUMN]; // 'participant_birth_date: is not a real calendar date'
 * ```
 * @category Import
 */
export const REJECT_REASONS_COLUMN = 'reject_reasons';

/** An import row as read: every value a string (NDJSON numbers and booleans are turned into strings). @internal */
export type RawRow = Record<string, string>;

/** Where a domain path comes from in a row, for reasons that name the column (never the value). */
export function columnOfPath(record: 'participant' | 'specialist' | 'encounter', path: string): string {
  if (record === 'participant') {
    if (path.startsWith('name.family')) return 'participant_family';
    if (path.startsWith('name.given')) return 'participant_given';
    if (path.startsWith('birthDate')) return 'participant_birth_date';
    if (path.startsWith('gender')) return 'participant_gender';
    if (path.startsWith('medicaidId') || /^coverages\[\d+\]\.memberId/.test(path)) return 'medicaid_id';
    if (/^coverages\[\d+\]\.period\.end/.test(path)) return 'coverage_end';
    if (/^coverages\[\d+\]\.period/.test(path)) return 'coverage_start';
    if (path.startsWith('address.line[1]')) return 'participant_address_line2';
    if (path.startsWith('address.line')) return 'participant_address_line';
    if (path.startsWith('address.city')) return 'participant_city';
    if (path.startsWith('address.state')) return 'participant_state';
    if (path.startsWith('address.postalCode')) return 'participant_postal_code';
    if (path.startsWith('address')) return 'participant_address_line';
    if (path.startsWith('id')) return 'participant_id';
    return path;
  }
  if (record === 'specialist') {
    if (path.startsWith('npi')) return 'specialist_npi';
    if (path.startsWith('name.family')) return 'specialist_family';
    if (path.startsWith('name.given')) return 'specialist_given';
    if (path.startsWith('supervisor.npi')) return 'supervisor_npi';
    if (path.startsWith('supervisor.name.family')) return 'supervisor_family';
    if (path.startsWith('supervisor.name.given')) return 'supervisor_given';
    const c = /^credentials\[\d+\]\.(\w+)/.exec(path)?.[1];
    if (c === 'kind') return 'credential';
    if (c) return `credential_${c}`;
    return path;
  }
  const place = /^location\.(?:address\.)?(\w+)/.exec(path)?.[1];
  if (place) return { id: 'location_id', name: 'location_name', line: 'location_address_line', city: 'location_city', state: 'location_state', postalCode: 'location_postal_code' }[place] ?? 'location_name';
  const a = /^attendees\[\d+\]\.(\w+)/.exec(path)?.[1];
  if (a === 'participantId') return 'participant_id';
  if (a === 'diagnoses') return 'diagnosis_codes';
  if (a === 'goalIds') return 'goal_ids';
  const top = /^(\w+)/.exec(path)?.[1] ?? path;
  const map: Record<string, string> = {
    id: 'encounter_id',
    groupId: 'group_id',
    specialistNpi: 'specialist_npi',
    supervisorNpi: 'supervisor_npi',
    placeOfService: 'place_of_service',
    supportTypes: 'support_types',
    serviceCode: 'service_code',
    organizationNpi: 'organization.npi (config)',
    attendees: 'group_id',
    mode: 'group_id',
  };
  return map[top] ?? top;
}
