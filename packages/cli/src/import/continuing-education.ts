import { ContinuingEducation, parseRecord } from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import type { NumberedRow } from './assemble.js';
import { cell, numberCell } from './cells.js';
import { defineKind, fromFirstRow, type Blame, type BuiltInput } from './record-kind.js';

/** Columns of a continuing-education file (one activity per row), in template order. */
export const CE_COLUMNS = ['ce_id', 'peer_npi', 'date', 'hours', 'topic', 'credential_number', 'provider'] as const;

const REQUIRED = ['ce_id', 'peer_npi', 'date', 'hours', 'topic'] as const;

function build(rows: readonly NumberedRow[], _config: CliConfig): BuiltInput {
  return fromFirstRow(rows, (r, common) => {
    const credentialNumber = cell(r, 'credential_number');
    const provider = cell(r, 'provider');
    return {
      id: cell(r, 'ce_id'),
      peerNpi: cell(r, 'peer_npi'),
      date: cell(r, 'date'),
      hours: numberCell(r, 'hours', common),
      topic: cell(r, 'topic'),
      ...(credentialNumber ? { credentialNumber } : {}),
      ...(provider ? { provider } : {}),
    };
  });
}

const FIELDS: Record<string, string> = {
  id: 'ce_id',
  peerNpi: 'peer_npi',
  date: 'date',
  hours: 'hours',
  topic: 'topic',
  credentialNumber: 'credential_number',
  provider: 'provider',
};

function blame(path: string): Blame {
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? path };
}

/**
 * Continuing-education records (`ce_id` header): the peer (NPI), date, hours, topic, and optionally the credential
 * number the hours count toward and the provider; validated by core's `ContinuingEducation`, stored as a `Basic`
 * (profile `peer-continuing-education`, docs/mapping.md).
 */
export const continuingEducationKind = defineKind<ContinuingEducation>('continuing-education', CE_COLUMNS, REQUIRED, {
  build,
  parse: (input) => parseRecord(ContinuingEducation, input, 'ContinuingEducation'),
  blame,
});
