import {
  parseRecord,
  Participant,
  PeerEncounter,
  PeerSpecialist,
  type ValidationIssue,
} from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import { cell, cells, flag } from './cells.js';
import { rejectTogether } from './record-kind.js';
import { columnOfPath, type RawRow } from './columns.js';

/** A row with its 1-based data row number (the header is not counted). */
export interface NumberedRow {
  row: number;
  values: RawRow;
}

/** One rejected row: its number, the row as read and every reason (column names and rules, never values). */
export interface RejectedRow {
  row: number;
  values: RawRow;
  reasons: string[];
}

/** The records one encounter's rows make. */
export interface AssembledEncounter {
  encounter: PeerEncounter;
  participants: Participant[];
  specialist: PeerSpecialist;
  rows: NumberedRow[];
}

export type AssembleResult = { ok: true; value: AssembledEncounter } | { ok: false; rejected: RejectedRow[] };

const REQUIRED = [
  'encounter_id',
  'participant_id',
  'participant_family',
  'participant_given',
  'participant_birth_date',
  'participant_gender',
  'specialist_npi',
  'specialist_family',
  'specialist_given',
  'start',
  'end',
  'modality',
  'setting',
  'program',
  'place_of_service',
] as const;

/** Fields every row of one group encounter must agree on. */
const SHARED = ['specialist_npi', 'supervisor_npi', 'supervisor_family', 'supervisor_given', 'start', 'end', 'modality', 'setting', 'program', 'group_id', 'place_of_service', 'part2', 'support_types', 'activities', 'service_code', 'status', 'location_id', 'location_name', 'location_address_line', 'location_city', 'location_state', 'location_postal_code'] as const;

const LOCATION_COLUMNS = ['location_id', 'location_name', 'location_address_line', 'location_city', 'location_state', 'location_postal_code'] as const;
const LOCATION_ADDRESS_COLUMNS = ['location_address_line', 'location_city', 'location_state', 'location_postal_code'] as const;

/** The encounter's named place, when any location column is given (id and name then required; the address all or nothing). */
function locationOf(r: RawRow): unknown {
  if (!LOCATION_COLUMNS.some((k) => v(r, k) !== undefined)) return undefined;
  const address = LOCATION_ADDRESS_COLUMNS.some((k) => v(r, k) !== undefined)
    ? { line: [v(r, 'location_address_line') ?? ''], city: v(r, 'location_city') ?? '', state: v(r, 'location_state')?.toUpperCase() ?? '', postalCode: v(r, 'location_postal_code') ?? '' }
    : undefined;
  return { id: v(r, 'location_id'), name: v(r, 'location_name'), ...(address ? { address } : {}) };
}

const v = cell;
const list = cells;

function describe(record: 'participant' | 'specialist' | 'encounter', issues: readonly ValidationIssue[]): string[] {
  return issues.map((i) => `${columnOfPath(record, i.path)}: ${i.message}`);
}

const boolOf = flag;

function participantOf(r: RawRow, config: CliConfig): unknown {
  const medicaidId = v(r, 'medicaid_id');
  const coverageEnd = v(r, 'coverage_end');
  // The address is all or nothing: any of its columns given makes the whole address validated (and required parts named).
  const addressColumns = ['participant_address_line', 'participant_address_line2', 'participant_city', 'participant_state', 'participant_postal_code'] as const;
  const line2 = v(r, 'participant_address_line2');
  const address = addressColumns.some((k) => v(r, k) !== undefined)
    ? {
        line: [v(r, 'participant_address_line') ?? '', ...(line2 ? [line2] : [])],
        city: v(r, 'participant_city') ?? '',
        state: v(r, 'participant_state')?.toUpperCase() ?? '',
        postalCode: v(r, 'participant_postal_code') ?? '',
      }
    : undefined;
  return {
    id: v(r, 'participant_id'),
    ...(medicaidId ? { medicaidId } : {}),
    name: { family: v(r, 'participant_family'), given: v(r, 'participant_given') ? [v(r, 'participant_given')] : [] },
    birthDate: v(r, 'participant_birth_date'),
    gender: v(r, 'participant_gender')?.toLowerCase(),
    ...(address ? { address } : {}),
    coverages: medicaidId
      ? [
          {
            payerId: config.payer.id,
            payerName: config.payer.name,
            ...(config.payer.planName ? { planName: config.payer.planName } : {}),
            memberId: medicaidId,
            period: { start: v(r, 'coverage_start') ?? config.payer.coverageStart ?? '2000-01-01', ...(coverageEnd ? { end: coverageEnd } : {}) },
          },
        ]
      : [],
  };
}

function specialistOf(r: RawRow, config: CliConfig, reasons: string[]): unknown {
  const kind = v(r, 'credential');
  const credentials: unknown[] = [];
  if (kind) {
    const state = v(r, 'credential_state') ?? config.organization.address.state;
    if (!v(r, 'credential_number')) reasons.push('credential_number: required when credential is given');
    if (!v(r, 'credential_issued')) reasons.push('credential_issued: required when credential is given');
    const expires = v(r, 'credential_expires');
    credentials.push({
      kind,
      state,
      number: v(r, 'credential_number') ?? 'missing',
      issuer: v(r, 'credential_issuer') ?? `${state} peer specialist certification`,
      issued: v(r, 'credential_issued') ?? '1900-01-01',
      ...(expires ? { expires } : {}),
      endorsements: list(r, 'credential_endorsements'),
    });
  }
  // The claim's supervising provider loop (837P 2310D) needs the supervisor's name, so it is kept only with one.
  const supervisorNpi = v(r, 'supervisor_npi');
  const supervisorFamily = v(r, 'supervisor_family');
  if (supervisorNpi && supervisorFamily === undefined && v(r, 'supervisor_given') !== undefined) reasons.push('supervisor_family: required when supervisor_given is given');
  const supervisor =
    supervisorNpi && supervisorFamily
      ? { supervisor: { npi: supervisorNpi, name: { family: supervisorFamily, given: v(r, 'supervisor_given') ? [v(r, 'supervisor_given')] : [] } } }
      : {};
  return {
    npi: v(r, 'specialist_npi'),
    ...supervisor,
    name: { family: v(r, 'specialist_family'), given: v(r, 'specialist_given') ? [v(r, 'specialist_given')] : [] },
    credentials,
    organizationNpi: config.organization.npi,
  };
}

/** The reasons found so far, per row number; every row of the encounter has an entry. */
type RowReasons = Map<number, string[]>;

/** The reasons of one row (its entry always exists: `rowReasons` makes one per row). */
const reasonsOf = (perRow: RowReasons, row: number): string[] => {
  const reasons = perRow.get(row);
  if (reasons) return reasons;
  const fresh: string[] = [];
  perRow.set(row, fresh);
  return fresh;
};

/** Step 1: every row must give the required columns. */
function rowReasons(rows: readonly NumberedRow[]): RowReasons {
  const perRow: RowReasons = new Map(rows.map((r) => [r.row, []]));
  for (const { row, values } of rows) {
    const reasons = reasonsOf(perRow, row);
    for (const k of REQUIRED) if (!v(values, k)) reasons.push(`${k}: required`);
  }
  return perRow;
}

/**
 * Step 2: several rows are one group session only with a group_id (a reason of the whole group), and agree on the
 * encounter's shared columns. The row that differs from the first is the one at fault; the others are rejected with
 * it, not for it.
 */
function groupReasons(rows: readonly NumberedRow[], first: NumberedRow, perRow: RowReasons): string[] {
  const common: string[] = [];
  if (rows.length <= 1) return common;
  if (!v(first.values, 'group_id')) common.push('encounter_id: appears on several rows but group_id is empty (only group sessions have one row per attendee)');
  for (const k of SHARED) {
    for (const r of rows) if ((v(r.values, k) ?? '') !== (v(first.values, k) ?? '')) reasonsOf(perRow, r.row).push(`${k}: differs from the first row of this group encounter (row ${first.row})`);
  }
  return common;
}

/** Step 3: each row's participant (validated by core's schema, problems on that row) and attendee entry. */
function attendeesOf(rows: readonly NumberedRow[], config: CliConfig, perRow: RowReasons): { participants: Participant[]; attendees: unknown[] } {
  const participants: Participant[] = [];
  const attendees: unknown[] = [];
  for (const { row, values } of rows) {
    const p = parseRecord(Participant, participantOf(values, config), 'Participant');
    if (p.ok) participants.push(p.value);
    else reasonsOf(perRow, row).push(...describe('participant', p.issues));
    attendees.push({ participantId: v(values, 'participant_id'), diagnoses: list(values, 'diagnosis_codes'), goalIds: list(values, 'goal_ids') });
  }
  return { participants, attendees };
}

/** Step 5's input: the encounter as core's schema reads it, from the first row's columns and every row's attendee. */
function encounterInput(first: RawRow, attendees: readonly unknown[], config: CliConfig, firstRow: string[]): unknown {
  const part2 = boolOf(first, 'part2', firstRow);
  const groupId = v(first, 'group_id');
  const supervisorNpi = v(first, 'supervisor_npi');
  const serviceCode = v(first, 'service_code');
  const status = v(first, 'status');
  const location = locationOf(first);
  return {
    id: v(first, 'encounter_id'),
    mode: groupId ? 'group' : 'individual',
    ...(groupId ? { groupId } : {}),
    attendees,
    ...(status ? { status } : {}),
    specialistNpi: v(first, 'specialist_npi'),
    ...(supervisorNpi ? { supervisorNpi } : {}),
    organizationNpi: config.organization.npi,
    start: v(first, 'start'),
    end: v(first, 'end'),
    modality: v(first, 'modality'),
    setting: v(first, 'setting'),
    program: v(first, 'program'),
    supportTypes: list(first, 'support_types'),
    activities: list(first, 'activities'),
    placeOfService: v(first, 'place_of_service'),
    ...(serviceCode ? { serviceCode } : {}),
    ...(location ? { location } : {}),
    part2: part2 ?? false,
  };
}

/**
 * Step 6: an encounter issue under `attendees[i]` of a group belongs to that attendee's row; any other issue to the
 * first row (whose columns the encounter was read from).
 */
function placeEncounterIssues(issues: readonly ValidationIssue[], rows: readonly NumberedRow[], perRow: RowReasons, firstRow: string[]): void {
  for (const issue of issues) {
    const m = /^attendees\[(\d+)\]/.exec(issue.path);
    const reason = `${columnOfPath('encounter', issue.path)}: ${issue.message}`;
    const target = m ? rows[Number(m[1])] : undefined;
    if (target && rows.length > 1) reasonsOf(perRow, target.row).push(reason);
    else firstRow.push(reason);
  }
}

/**
 * Turn the rows of one encounter (one row for an individual session, one per attendee for a group session) into
 * domain records, or reject every row with its reasons. Reasons name columns and rules, never values. The steps, in
 * order: required columns per row; group rows agree; participants; the specialist; the encounter; then the verdict.
 */
export function assembleEncounter(rows: readonly NumberedRow[], config: CliConfig): AssembleResult {
  const [first] = rows;
  if (first === undefined) return { ok: false, rejected: [] };
  const perRow = rowReasons(rows);
  const common = groupReasons(rows, first, perRow);
  const { participants, attendees } = attendeesOf(rows, config, perRow);

  // Step 4: the specialist and the encounter's own columns are read from the first row: a problem in them is that
  // row's (the others either agree with it, or are told they differ from it).
  const firstRow = reasonsOf(perRow, first.row);
  const s = parseRecord(PeerSpecialist, specialistOf(first.values, config, firstRow), 'PeerSpecialist');
  if (!s.ok) firstRow.push(...describe('specialist', s.issues));

  // Step 5: the encounter, validated by core's schema; its issues go to the row they are about (step 6).
  const e = parseRecord(PeerEncounter, encounterInput(first.values, attendees, config, firstRow), 'PeerEncounter');
  if (!e.ok) placeEncounterIssues(e.issues, rows, perRow, firstRow);

  const anyRowProblem = [...perRow.values()].some((r) => r.length > 0);
  if (common.length === 0 && !anyRowProblem && e.ok && s.ok) {
    return { ok: true, value: { encounter: e.value, participants, specialist: s.value, rows: [...rows] } };
  }
  // A group encounter lands whole or not at all: a problem on one attendee's row holds back the others too.
  return { ok: false, rejected: rejectTogether(rows, perRow, common, 'group encounter') };
}
