/**
 * Pre-bill evaluation: every encounter x attendee ends billed (lines) or held with every reason.
 * @module
 */
import { encounterMinutes, type MedicaidCoverage, type Participant, type PeerEncounter } from '@peer-fhir/core';
import type { BillingContext } from './context.js';
import type { BillingDecision, BillingLine, BillingResult, Finding } from './decision.js';
import { ITEM_EDITS } from './edits/index.js';
import { applyCaps, type CapLedger } from './evaluate-caps.js';
import { computeUnits, standaloneUnits, type ComputedUnits } from './evaluate-units.js';
import type { RulePack, ServiceRule } from './pack/schema.js';
import { dateOf, within } from './internal/dates.js';
import { finding, type BillingItem, type EvalState } from './internal/item.js';

function pickService(pack: RulePack, e: PeerEncounter): ServiceRule | undefined {
  return pack.services.find((s) => s.code === e.serviceCode && (s.programs === undefined || s.programs.includes(e.program)) && s.modes.includes(e.mode));
}

function pickCoverage(p: Participant | undefined, dos: string, payerId: string | undefined): MedicaidCoverage | undefined {
  return p?.coverages
    .filter((c) => within(dos, c.period.start, c.period.end) && (payerId === undefined || c.payerId === payerId))
    .sort((a, b) => a.payerId.localeCompare(b.payerId) || a.period.start.localeCompare(b.period.start))[0];
}

function findOverlaps(items: readonly BillingItem[], ctx: BillingContext): Set<string> {
  const byParticipant = new Map<string, { key?: string; s: number; e: number }[]>();
  const add = (pid: string, x: { key?: string; s: number; e: number }) => byParticipant.set(pid, [...(byParticipant.get(pid) ?? []), x]);
  for (const i of items) {
    if (i.encounter.status === 'finished') add(i.attendee.participantId, { key: i.key, s: Date.parse(i.encounter.start), e: Date.parse(i.encounter.end) });
  }
  for (const o of ctx.otherServices ?? []) add(o.participantId, { s: Date.parse(o.start), e: Date.parse(o.end) });
  const out = new Set<string>();
  for (const list of byParticipant.values()) {
    list.sort((a, b) => a.s - b.s);
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as (typeof list)[number];
      for (let j = i + 1; j < list.length && (list[j] as (typeof list)[number]).s < a.e; j++) {
        const b = list[j] as (typeof list)[number];
        if (a.key) out.add(a.key);
        if (b.key) out.add(b.key);
      }
    }
  }
  return out;
}

function buildItems(ctx: BillingContext): BillingItem[] {
  const participants = new Map(ctx.participants.map((p) => [p.id, p]));
  const specialists = new Map(ctx.specialists.map((s) => [s.npi, s]));
  const encounters = [...ctx.encounters].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
  const items: BillingItem[] = [];
  for (const e of encounters) {
    const dos = dateOf(e.start);
    for (const a of [...e.attendees].sort((x, y) => x.participantId.localeCompare(y.participantId))) {
      const participant = participants.get(a.participantId);
      items.push({
        key: `${e.id}/${a.participantId}`,
        encounter: e,
        attendee: a,
        participant,
        specialist: specialists.get(e.specialistNpi),
        dos,
        minutes: encounterMinutes(e),
        coverage: pickCoverage(participant, dos, ctx.payerId),
        service: pickService(ctx.pack, e),
      });
    }
  }
  return items;
}

/** First date of service per participant: this run's finished encounters and the billed history. */
function firstServiceDates(items: readonly BillingItem[], context: BillingContext): Map<string, string> {
  const firstService = new Map<string, string>();
  const seeFirst = (pid: string, d: string) => {
    const cur = firstService.get(pid);
    if (cur === undefined || d < cur) firstService.set(pid, d);
  };
  for (const i of items) if (i.encounter.status === 'finished') seeFirst(i.attendee.participantId, i.dos);
  for (const h of context.history ?? []) seeFirst(h.participantId, h.date);
  return firstService;
}

/** Every item edit's findings per item key: holds stop an item from being billed; warnings (e.g. PB-ELIGIBILITY-STALE) do not. */
function runItemEdits(items: readonly BillingItem[], state: EvalState): Map<string, { holds: Finding[]; warnings: Finding[] }> {
  const out = new Map<string, { holds: Finding[]; warnings: Finding[] }>();
  for (const item of items) {
    const found = ITEM_EDITS.flatMap((e) => e.check(item, state));
    out.set(item.key, { holds: found.filter((f) => f.severity === 'hold'), warnings: found.filter((f) => f.severity === 'warn') });
  }
  return out;
}

/**
 * One item's decision. An item held by an edit asks for its standalone units; a passing one for what the unit pass gave
 * it. A passing item with no units that is not counted in another item's units is below one billable unit
 * (PB-UNITS-MINIMUM). Billed when nothing holds it, partial when some units stand, held otherwise.
 */
function decide(item: BillingItem, edits: { holds: Finding[]; warnings: Finding[] }, units: ComputedUnits, ledger: CapLedger, pack: RulePack): BillingDecision {
  const itemLines = ledger.lines.get(item.key) ?? [];
  const editHolds = edits.holds;
  const billedUnits = itemLines.reduce((s, l) => s + l.units, 0);
  const requestedUnits = editHolds.length ? standaloneUnits(item, pack) : (ledger.requested.get(item.key) ?? 0);
  const itemHolds = [...editHolds, ...(ledger.capFindings.get(item.key) ?? [])];
  const counted = units.countedIn.get(item.key);
  if (editHolds.length === 0 && requestedUnits === 0 && counted === undefined) {
    itemHolds.push(finding('PB-UNITS-MINIMUM', `${item.minutes} min is below one billable unit under ${pack.id}`));
  }
  const warnings: Finding[] = [...edits.warnings];
  for (const w of itemLines.flatMap((l) => l.warnings)) if (!warnings.some((x) => x.code === w.code && x.reason === w.reason)) warnings.push(w);
  const status: BillingDecision['status'] = itemHolds.length === 0 ? 'billed' : billedUnits > 0 ? 'partial' : 'held';
  return {
    encounterId: item.encounter.id,
    participantId: item.attendee.participantId,
    dateOfService: item.dos,
    status,
    lines: itemLines,
    requestedUnits,
    billedUnits,
    heldUnits: requestedUnits - billedUnits,
    minutes: item.minutes,
    holds: itemHolds,
    warnings,
    ...(counted !== undefined && status === 'billed' ? { countedIn: counted } : {}),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The run's totals; they reconcile: billed + partial + held = items, billed + held units = requested units. */
function totalsOf(decisions: readonly BillingDecision[], all: readonly BillingLine[]): BillingResult['totals'] {
  const sum = (f: (d: BillingDecision) => number) => decisions.reduce((s, d) => s + f(d), 0);
  return {
    items: decisions.length,
    billed: decisions.filter((d) => d.status === 'billed').length,
    partial: decisions.filter((d) => d.status === 'partial').length,
    held: decisions.filter((d) => d.status === 'held').length,
    requestedUnits: sum((d) => d.requestedUnits),
    billedUnits: sum((d) => d.billedUnits),
    heldUnits: sum((d) => d.heldUnits),
    charge: round2(all.reduce((s, l) => s + (l.charge ?? 0), 0)),
    linesWithoutRate: all.filter((l) => l.rate === null).length,
  };
}

/**
 * Run the pack's pre-bill edits over every encounter x attendee and return billable lines or holds with every reason.
 * Deterministic: items are ordered by encounter start, encounter id, then participant id; caps are consumed in that order.
 * Totals reconcile: billed + partial + held = items; billed + held units = requested units.
 *
 * @param context - the rule pack, encounters, participants, specialists and billing history
 * @returns one decision per encounter x attendee, the billable lines and reconciling totals
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md
 * @example
 * ```ts
 * const result = evaluate({ pack: getPack('tx-medicaid-peer-specialist-2019'), encounters, participants, specialists });
 * for (const d of result.decisions) if (d.status !== 'billed') console.log(d.encounterId, d.holds.map((h) => h.code));
 * ```
 * @category Evaluation
 */
export function evaluate(context: BillingContext): BillingResult {
  const pack = context.pack;
  // 1. every encounter x attendee, in evaluation order, with its coverage and service rule
  const items = buildItems(context);
  const state: EvalState = { ctx: context, pack, firstService: firstServiceDates(items, context), overlaps: findOverlaps(items, context) };
  // 2. the item edits (edits/index.ts, in order); an item any edit holds gets no units
  const edits = runItemEdits(items, state);
  const noFindings = { holds: [], warnings: [] };
  const passing = items.filter((i) => (edits.get(i.key) ?? noFindings).holds.length === 0);
  // 3. units per passing item, then 4. caps and prior authorization over them in order (evaluate-caps.ts)
  const units = computeUnits(passing, pack);
  const ledger = applyCaps(units.pending, state);
  // 5. one decision per item, and totals that reconcile
  const decisions = items.map((item) => decide(item, edits.get(item.key) ?? noFindings, units, ledger, pack));
  const all = decisions.flatMap((d) => d.lines);
  return { packId: pack.id, packVersion: pack.version, decisions, lines: all, totals: totalsOf(decisions, all) };
}
