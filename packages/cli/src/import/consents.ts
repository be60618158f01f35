import { ConsentDirective, parseRecord, type ConsentDirective as Consent } from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import type { NumberedRow } from './assemble.js';
import { cell, cells } from './cells.js';
import { builtInput, defineKind, type Blame, type BuiltInput } from './record-kind.js';

/** Columns of a consents file (one consent per row, at most one named recipient), in template order. */
export const CONSENT_COLUMNS = [
  'consent_id',
  'participant_id',
  'kind',
  'status',
  'purposes',
  'period_start',
  'period_end',
  'signed_date',
  'recipient_kind',
  'recipient_name',
  'recipient_npi',
  'sensitivities',
  'resource_types',
  'revoked_at',
] as const;

const REQUIRED = ['consent_id', 'participant_id', 'kind', 'status', 'purposes', 'period_start', 'signed_date'] as const;

function recipientOf(r: NumberedRow['values']): unknown[] {
  const name = cell(r, 'recipient_name');
  const npi = cell(r, 'recipient_npi');
  const kind = cell(r, 'recipient_kind');
  if (name === undefined && npi === undefined && kind === undefined) return [];
  return [{ kind: kind ?? 'organization', name: name ?? '', ...(npi ? { npi } : {}) }];
}

function build(rows: readonly NumberedRow[], config: CliConfig): BuiltInput {
  const r = rows[0]?.values ?? {};
  const end = cell(r, 'period_end');
  const revokedAt = cell(r, 'revoked_at');
  return builtInput(rows, {
    id: cell(r, 'consent_id'),
    participantId: cell(r, 'participant_id'),
    kind: cell(r, 'kind'),
    status: cell(r, 'status'),
    recipients: recipientOf(r),
    purposes: cells(r, 'purposes'),
    dataScope: { resourceTypes: cells(r, 'resource_types'), sensitivities: cells(r, 'sensitivities').map((s) => s.toUpperCase()) },
    period: { start: cell(r, 'period_start'), ...(end ? { end } : {}) },
    signedDate: cell(r, 'signed_date'),
    ...(revokedAt ? { revokedAt } : {}),
    // The agency running the import is the Part 2 program permitted to disclose (42 CFR 2.31(a)(2)).
    disclosingOrganizationNpi: config.organization.npi,
  });
}

const FIELDS: Record<string, string> = {
  id: 'consent_id',
  participantId: 'participant_id',
  kind: 'kind',
  status: 'status',
  purposes: 'purposes',
  signedDate: 'signed_date',
  revokedAt: 'revoked_at',
  disclosingOrganizationNpi: 'organization.npi (config)',
};

function blame(path: string): Blame {
  if (path.startsWith('period.end')) return { column: 'period_end' };
  if (path.startsWith('period')) return { column: 'period_start' };
  if (path.startsWith('dataScope.resourceTypes')) return { column: 'resource_types' };
  if (path.startsWith('dataScope')) return { column: 'sensitivities' };
  const recipient = /^recipients(?:\[\d+\])?\.?(\w*)/.exec(path);
  if (recipient) return { column: recipient[1] === 'npi' ? 'recipient_npi' : recipient[1] === 'kind' ? 'recipient_kind' : 'recipient_name' };
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? path };
}

/**
 * Consents (`consent_id` header): a Part 2 TPO consent, a Part 2 consent to a named recipient, or a HIPAA
 * authorization of one participant, validated by core's `ConsentDirective`.
 */
export const consentKind = defineKind<Consent>('consents', CONSENT_COLUMNS, REQUIRED, { build, parse: (input) => parseRecord(ConsentDirective, input, 'ConsentDirective'), blame });
