import { answerProblems, defaultInstruments, InstrumentResponse, parseRecord, type InstrumentResponse as Response, type ValidationIssue } from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import type { NumberedRow } from './assemble.js';
import { cell, cells, flag } from './cells.js';
import { defineKind, fromFirstRow, type Blame, type BuiltInput, type KindParse } from './record-kind.js';

/** Columns of an outcomes file (one completed instrument per row), in template order. */
export const OUTCOME_COLUMNS = ['response_id', 'participant_id', 'instrument', 'authored', 'answers', 'encounter_id', 'administered_by_npi', 'part2'] as const;

const REQUIRED = ['response_id', 'participant_id', 'instrument', 'authored', 'answers'] as const;

/** `q1=5;q2=4;…`: item linkId = answer value. A malformed entry is named by position, never by its text. */
function answersOf(text: readonly string[], reasons: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  text.forEach((entry, i) => {
    const [, item, value] = /^([A-Za-z0-9._-]{1,64})\s*=\s*(-?\d+)$/.exec(entry) ?? [];
    if (item === undefined) reasons.push(`answers: entry ${i + 1} is not ITEM=NUMBER`);
    else if (item in out) reasons.push(`answers: entry ${i + 1} answers an item answered before`);
    else out[item] = Number(value);
  });
  return out;
}

function build(rows: readonly NumberedRow[], _config: CliConfig): BuiltInput {
  return fromFirstRow(rows, (r, common) => {
    const part2 = flag(r, 'part2', common);
    const encounterId = cell(r, 'encounter_id');
    const by = cell(r, 'administered_by_npi');
    return {
      id: cell(r, 'response_id'),
      instrumentId: cell(r, 'instrument')?.toLowerCase(),
      participantId: cell(r, 'participant_id'),
      authored: cell(r, 'authored'),
      answers: answersOf(cells(r, 'answers'), common),
      ...(encounterId ? { encounterId } : {}),
      ...(by ? { administeredByNpi: by } : {}),
      ...(part2 ? { part2 } : {}),
    };
  });
}

/** Answer problems by item; an item the instrument does not have is counted, not named (its name is input). */
function answerIssues(response: Response): ValidationIssue[] {
  if (!defaultInstruments.has(response.instrumentId)) {
    return [{ path: 'instrumentId', code: 'unknown', message: `is not a known instrument (${defaultInstruments.list().map((d) => d.id).join(', ')})` }];
  }
  const issues = answerProblems(defaultInstruments.get(response.instrumentId), response.answers);
  const unknown = issues.filter((i) => i.code === 'unknown_item').length;
  const known = issues.filter((i) => i.code !== 'unknown_item');
  return unknown > 0 ? [...known, { path: 'answers', code: 'unknown_item', message: `${unknown} entr(ies) name no item of this instrument` }] : known;
}

function parse(input: unknown): KindParse<Response> {
  const r = parseRecord(InstrumentResponse, input, 'InstrumentResponse');
  if (!r.ok) return r;
  const issues = answerIssues(r.value);
  return issues.length > 0 ? { ok: false, issues } : r;
}

const FIELDS: Record<string, string> = {
  id: 'response_id',
  instrumentId: 'instrument',
  participantId: 'participant_id',
  authored: 'authored',
  encounterId: 'encounter_id',
  administeredByNpi: 'administered_by_npi',
  part2: 'part2',
};

function blame(path: string): Blame {
  const item = /^answers\.([A-Za-z0-9._-]+)$/.exec(path)?.[1];
  if (item) return { column: `answers (item ${item})` };
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? (path.startsWith('answers') ? 'answers' : path) };
}

/**
 * Outcome measures (`response_id` header): one completed instrument (BARC-10, PHQ-9, or one registered in core) per
 * row, answers as `ITEM=VALUE;…`, validated and scored by core's `InstrumentResponse` and the instrument.
 */
export const outcomeKind = defineKind<Response>('outcomes', OUTCOME_COLUMNS, REQUIRED, { build, parse, blame });
