import { parseRecord, SupervisionSession } from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import type { NumberedRow } from './assemble.js';
import { cell, cells, numberCell } from './cells.js';
import { defineKind, fromFirstRow, type Blame, type BuiltInput } from './record-kind.js';

/** Columns of a supervision file (one session per row), in template order. */
export const SUPERVISION_COLUMNS = ['session_id', 'supervisor_npi', 'peer_npis', 'date', 'minutes', 'mode', 'modality', 'topics'] as const;

const REQUIRED = ['session_id', 'supervisor_npi', 'peer_npis', 'date', 'minutes', 'mode'] as const;

function build(rows: readonly NumberedRow[], config: CliConfig): BuiltInput {
  return fromFirstRow(rows, (r, common) => {
    const modality = cell(r, 'modality');
    return {
      id: cell(r, 'session_id'),
      supervisorNpi: cell(r, 'supervisor_npi'),
      peerNpis: cells(r, 'peer_npis'),
      date: cell(r, 'date'),
      minutes: numberCell(r, 'minutes', common),
      mode: cell(r, 'mode'),
      ...(modality ? { modality } : {}),
      topics: cells(r, 'topics'),
      organizationNpi: config.organization.npi,
    };
  });
}

const FIELDS: Record<string, string> = {
  id: 'session_id',
  supervisorNpi: 'supervisor_npi',
  peerNpis: 'peer_npis',
  date: 'date',
  minutes: 'minutes',
  mode: 'mode',
  modality: 'modality',
  topics: 'topics',
  organizationNpi: 'organization.npi (config)',
};

function blame(path: string): Blame {
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? path };
}

/**
 * Supervision sessions (`session_id` header): a supervisor, the peers supervised (`;`-separated NPIs), date,
 * minutes and topics; validated by core's `SupervisionSession`, stored as a workforce-activity Encounter.
 */
export const supervisionKind = defineKind<SupervisionSession>('supervision', SUPERVISION_COLUMNS, REQUIRED, { build, parse: (input) => parseRecord(SupervisionSession, input, 'SupervisionSession'), blame });
