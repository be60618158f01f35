import { parseRecord, RecoveryPlan } from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import type { NumberedRow } from './assemble.js';
import { cell, cells, flag } from './cells.js';
import type { RawRow } from './columns.js';
import { defineKind, fromFirstRow, type Blame, type BuiltInput } from './record-kind.js';

/** Columns of a recovery-plans file (one row per goal; a plan's rows are adjacent), in template order. */
export const PLAN_COLUMNS = [
  'plan_id',
  'participant_id',
  'peer_npi',
  'status',
  'period_start',
  'period_end',
  'review_due',
  'goal_id',
  'goal_text',
  'goal_domain',
  'goal_target_date',
  'goal_status',
  'strengths',
  'crisis_plan',
  'participant_signed_at',
  'peer_signed_at',
  'clinician_npi',
  'clinician_family',
  'clinician_given',
  'clinician_signed_at',
  'part2',
] as const;

const REQUIRED = ['plan_id', 'participant_id', 'peer_npi', 'status', 'period_start', 'review_due', 'goal_id', 'goal_text', 'goal_domain'] as const;

/** Everything but the goal columns is the plan's and the same on each of its rows. */
const SHARED = PLAN_COLUMNS.filter((c) => !c.startsWith('goal_'));

function goalOf(r: RawRow): unknown {
  const target = cell(r, 'goal_target_date');
  const status = cell(r, 'goal_status');
  return { id: cell(r, 'goal_id'), text: cell(r, 'goal_text'), domain: cell(r, 'goal_domain'), ...(target ? { targetDate: target } : {}), ...(status ? { status } : {}) };
}

function signaturesOf(r: RawRow): unknown[] {
  const roles = [
    ['participant', 'participant_signed_at'],
    ['peer', 'peer_signed_at'],
    ['clinician', 'clinician_signed_at'],
  ] as const;
  return roles.flatMap(([role, column]) => {
    const signedAt = cell(r, column);
    return signedAt ? [{ role, signedAt }] : [];
  });
}

function clinicianOf(r: RawRow): object {
  const npi = cell(r, 'clinician_npi');
  if (npi === undefined) return {};
  const given = cell(r, 'clinician_given');
  return { clinician: { npi, name: { family: cell(r, 'clinician_family'), given: given ? [given] : [] } } };
}

function build(rows: readonly NumberedRow[], _config: CliConfig): BuiltInput {
  return fromFirstRow(rows, (r, common) => {
    const part2 = flag(r, 'part2', common);
    const end = cell(r, 'period_end');
    const crisis = cell(r, 'crisis_plan');
    return {
      id: cell(r, 'plan_id'),
      participantId: cell(r, 'participant_id'),
      peerNpi: cell(r, 'peer_npi'),
      ...clinicianOf(r),
      period: { start: cell(r, 'period_start'), ...(end ? { end } : {}) },
      status: cell(r, 'status'),
      goals: rows.map((row) => goalOf(row.values)),
      strengths: cells(r, 'strengths'),
      ...(crisis ? { crisisPlan: crisis } : {}),
      reviewDue: cell(r, 'review_due'),
      signatures: signaturesOf(r),
      ...(part2 ? { part2 } : {}),
    };
  });
}

const FIELDS: Record<string, string> = {
  id: 'plan_id',
  participantId: 'participant_id',
  peerNpi: 'peer_npi',
  status: 'status',
  strengths: 'strengths',
  crisisPlan: 'crisis_plan',
  reviewDue: 'review_due',
  part2: 'part2',
};

function blame(path: string): Blame {
  const goal = /^goals\[(\d+)\]\.?(\w*)/.exec(path);
  if (goal) return { column: goal[2] === 'targetDate' ? 'goal_target_date' : `goal_${goal[2] || 'id'}`, rowIndex: Number(goal[1]) };
  if (path.startsWith('period.end')) return { column: 'period_end' };
  if (path.startsWith('period')) return { column: 'period_start' };
  const signature = /^signatures\[(\d+)\]/.exec(path);
  if (signature) return { column: 'participant_signed_at, peer_signed_at, clinician_signed_at' };
  const clinician = /^clinician\.(npi|name\.family|name\.given)/.exec(path)?.[1];
  if (clinician) return { column: clinician === 'npi' ? 'clinician_npi' : clinician === 'name.family' ? 'clinician_family' : 'clinician_given' };
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? path };
}

/**
 * Recovery plans (`plan_id` header): one row per goal, the plan's own columns repeated on each row; validated by
 * core's `RecoveryPlan` (goals, strengths, signatures, review date).
 */
export const planKind = defineKind<RecoveryPlan>('plans', PLAN_COLUMNS, REQUIRED, { shared: SHARED, build, parse: (input) => parseRecord(RecoveryPlan, input, 'RecoveryPlan'), blame });
