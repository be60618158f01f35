import { identifierSystems, parseRecord } from '@peer-fhir/core';
import { PriorAuthorization, priorAuthorizationToFhir } from '@peer-fhir/billing';
import type { NumberedRow } from './assemble.js';
import { cell, numberCell } from './cells.js';
import { writeBillingRecords } from './participant-resources.js';
import { defineKind, fromFirstRow, type Blame, type BuiltInput } from './record-kind.js';
import type { WriteOutcome, WriteTarget } from './write-records.js';

/** Columns of a prior-authorizations file (one payer authorization per row), in template order. */
export const PRIOR_AUTHORIZATION_COLUMNS = ['authorization_id', 'participant_id', 'code', 'period_start', 'period_end', 'units', 'authorization_number'] as const;

const REQUIRED = PRIOR_AUTHORIZATION_COLUMNS;

function build(rows: readonly NumberedRow[]): BuiltInput {
  return fromFirstRow(rows, (r, common) => ({
    id: cell(r, 'authorization_id'),
    participantId: cell(r, 'participant_id'),
    code: cell(r, 'code'),
    period: { start: cell(r, 'period_start'), end: cell(r, 'period_end') },
    units: numberCell(r, 'units', common),
    reference: cell(r, 'authorization_number'),
  }));
}

const FIELDS: Record<string, string> = { id: 'authorization_id', participantId: 'participant_id', code: 'code', units: 'units', reference: 'authorization_number' };

function blame(path: string): Blame {
  if (path.startsWith('period.end')) return { column: 'period_end' };
  if (path.startsWith('period')) return { column: 'period_start' };
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? path };
}

/**
 * Prior authorizations (`authorization_id` header): the payer's authorization of units of a HCPCS code for a
 * participant over a period, with the payer's number (837P 2300 REF*G1; Texas `PB-PRIOR-AUTH` beyond the rolling
 * threshold); validated by billing's `PriorAuthorization`, stored as a Claim with `use` `preauthorization`
 * (`priorAuthorizationToFhir`) that `bill` reads. Units used are not a column: `bill` counts them from stored claims.
 */
export const priorAuthorizationKind = defineKind<PriorAuthorization>('prior-authorizations', PRIOR_AUTHORIZATION_COLUMNS, REQUIRED, {
  build,
  parse: (input) => parseRecord(PriorAuthorization, input, 'PriorAuthorization'),
  blame,
});

/** Prior authorizations, each a conditional create of its Claim under the agency's `prior-authorization` system. */
export function writePriorAuthorizations(t: WriteTarget, records: readonly PriorAuthorization[]): Promise<WriteOutcome[]> {
  return writeBillingRecords(t, records, identifierSystems(t.scope).priorAuthorization, priorAuthorizationToFhir);
}
