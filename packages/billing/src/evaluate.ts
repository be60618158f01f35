/**
 * Pre-bill evaluation: every encounter x attendee ends billed (lines) or held with every reason.
 * @module
 */
import { encounterMinutes, type MedicaidCoverage, type Participant, type PeerEncounter } from '@peer-fhir/core';
import type { BillingContext } from './context.js';
import type { BillingDecision, BillingLine, BillingResult, Finding } from './decision.js';
import { lineDiagnoses } from './edits/diagnosis.js';
import { ITEM_EDITS } from './edits/index.js';
import { unconfirmedRuleWarnings } from './edits/rule-unconfirmed.js';
import type { RulePack, ServiceRule } from './pack/schema.js';
import { calculateMonthlyUnits, calculateUnits } from './units.js';
import { authUnitsLeft, openAuthorizations, usedInWindow, type Usage } from './internal/caps.js';
import { dateOf, monthOf, within } from './internal/dates.js';
import { finding, type BillingItem, type EvalState } from './internal/item.js';
import { buildModifiers, findRate, telehealthModifiers } from './internal/lines.js';

interface Pending {
  item: BillingItem;
  code: string;
  units: number;
}

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

/** Standalone units of an item (what it would ask for on its own), for held items. */
function standaloneUnits(item: BillingItem, pack: RulePack): number {
  if (pack.billingModel === 'monthly-accumulation' || !pack.units) return 0;
  const m = pack.units.method;
  const method = m.kind === 'per-day-aggregate' ? (m.inner === 'midpoint' ? 'midpoint-per-contact' : m.inner) : m;
  return calculateUnits(item.minutes, method, pack.units.unitMinutes).units;
}

/** Units per passing item; aggregated models hand each item the units its time adds to the day's or month's total. */
function computeUnits(passing: readonly BillingItem[], pack: RulePack): { pending: Pending[]; countedIn: Map<string, string> } {
  const pending: Pending[] = [];
  const countedIn = new Map<string, string>();
  const groups = new Map<string, BillingItem[]>();
  const monthly = pack.billingModel === 'monthly-accumulation';
  const aggregate = monthly || pack.units?.method.kind === 'per-day-aggregate';
  if (!aggregate) {
    const u = pack.units as NonNullable<RulePack['units']>;
    for (const item of passing) pending.push({ item, code: item.encounter.serviceCode, units: calculateUnits(item.minutes, u.method, u.unitMinutes).units });
    return { pending, countedIn };
  }
  for (const item of passing) {
    const k = monthly
      ? `${item.attendee.participantId}|${monthOf(item.dos)}`
      : `${item.attendee.participantId}|${item.dos}|${item.encounter.serviceCode}|${buildModifiers(item, pack).join('+')}`;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  for (const list of groups.values()) {
    let minutes = 0;
    let before = new Map<string, number>();
    const carriers: string[] = [];
    const perItem: { item: BillingItem; lines: Pending[] }[] = [];
    for (const item of list) {
      minutes += item.minutes;
      const after = new Map<string, number>();
      if (monthly) {
        for (const l of calculateMonthlyUnits(minutes, pack.monthly as NonNullable<RulePack['monthly']>).lines) after.set(l.code, l.units);
      } else {
        const u = pack.units as NonNullable<RulePack['units']>;
        after.set(item.encounter.serviceCode, calculateUnits(minutes, u.method, u.unitMinutes).units);
      }
      const lines: Pending[] = [];
      for (const [code, units] of after) {
        const delta = units - (before.get(code) ?? 0);
        if (delta > 0) lines.push({ item, code, units: delta });
      }
      before = after;
      perItem.push({ item, lines });
      if (lines.length) carriers.push(item.key);
    }
    perItem.forEach(({ item, lines }, idx) => {
      pending.push(...lines);
      if (lines.length === 0 && carriers.length > 0) {
        const next = perItem.slice(idx + 1).find((p) => p.lines.length > 0)?.item.key;
        countedIn.set(item.key, next ?? (carriers.at(-1) as string));
      }
    });
  }
  return { pending, countedIn };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function makeLine(p: Pending, units: number, priorAuthUnits: number, preAuthRef: string | undefined, state: EvalState): BillingLine {
  const { item } = p;
  const pack = state.pack;
  const modifiers = buildModifiers(item, pack);
  const rate = findRate(pack, p.code, modifiers, telehealthModifiers(item, pack));
  const amount = rate?.amount ?? null;
  const warnings: Finding[] = [];
  if (amount === null) warnings.push(finding('PB-RATE-UNKNOWN', rate ? `${pack.id} gives no amount for this code and modifiers` : `${pack.id} has no rate entry for this code and modifiers`));
  warnings.push(...unconfirmedRuleWarnings(item, state, rate?.source));
  const allow = pack.diagnosis?.allow.find((a) => a.programs === undefined || a.programs.includes(item.encounter.program))?.codes;
  const cov = item.coverage as MedicaidCoverage;
  const supervisorNpi = item.encounter.supervisorNpi ?? item.specialist?.supervisor?.npi;
  return {
    encounterId: item.encounter.id,
    participantId: item.attendee.participantId,
    ...(item.encounter.groupId ? { groupId: item.encounter.groupId } : {}),
    dateOfService: item.dos,
    code: p.code,
    modifiers,
    units,
    minutes: item.minutes,
    rate: amount,
    charge: amount === null ? null : round2(amount * units),
    placeOfService: item.encounter.placeOfService,
    diagnoses: lineDiagnoses(item.attendee.diagnoses, allow),
    specialistNpi: item.encounter.specialistNpi,
    ...(supervisorNpi ? { supervisorNpi } : {}),
    organizationNpi: item.encounter.organizationNpi,
    payerId: cov.payerId,
    payerName: cov.payerName,
    memberId: cov.memberId,
    coverageStart: cov.period.start,
    priorAuthUnits,
    ...(preAuthRef ? { preAuthRef } : {}),
    part2: item.encounter.part2,
    warnings,
  };
}

/**
 * Run the pack's pre-bill edits over every encounter x attendee and return billable lines or holds with every reason.
 * Deterministic: items are ordered by encounter start, encounter id, then participant id; caps are consumed in that order.
 * Totals reconcile: billed + partial + held = items; billed + held units = requested units.
 *
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
  const items = buildItems(context);
  const firstService = new Map<string, string>();
  const seeFirst = (pid: string, d: string) => {
    const cur = firstService.get(pid);
    if (cur === undefined || d < cur) firstService.set(pid, d);
  };
  for (const i of items) if (i.encounter.status === 'finished') seeFirst(i.attendee.participantId, i.dos);
  for (const h of context.history ?? []) seeFirst(h.participantId, h.date);
  const state: EvalState = { ctx: context, pack, firstService, overlaps: findOverlaps(items, context) };

  const holds = new Map<string, Finding[]>();
  // Item edits return holds and warnings (e.g. PB-ELIGIBILITY-STALE); only holds stop an item from being billed
  const itemWarnings = new Map<string, Finding[]>();
  for (const item of items) {
    const found = ITEM_EDITS.flatMap((e) => e.check(item, state));
    holds.set(item.key, found.filter((f) => f.severity === 'hold'));
    itemWarnings.set(item.key, found.filter((f) => f.severity === 'warn'));
  }
  const passing = items.filter((i) => (holds.get(i.key) as Finding[]).length === 0);
  const { pending, countedIn } = computeUnits(passing, pack);

  const usage: Usage[] = (context.history ?? []).map((h) => ({ ...h }));
  const authLeft = new Map<string, number>();
  const lines = new Map<string, BillingLine[]>();
  const requested = new Map<string, number>();
  const capFindings = new Map<string, Finding[]>();
  const policy = context.capPolicy ?? 'split';

  for (const p of pending) {
    const pid = p.item.attendee.participantId;
    const key = p.item.key;
    requested.set(key, (requested.get(key) ?? 0) + p.units);
    const applies = pack.caps.filter((c) => c.codes === undefined || c.codes.includes(p.code));
    const room = (beyond: 'hold' | 'prior-auth') =>
      applies
        .filter((c) => c.beyond === beyond)
        .map((c) => ({ c, left: Math.max(0, c.maxUnits - usedInWindow(c, usage, pid, p.item.dos, context)) }))
        .sort((a, b) => a.left - b.left)[0];
    const hard = room('hold');
    const billable = Math.min(p.units, hard ? hard.left : Infinity);
    const found: Finding[] = [];
    if (billable < p.units && hard) {
      found.push(finding('PB-CAP', `${p.units - billable} unit(s) over cap ${hard.c.id} (${hard.c.maxUnits} per ${hard.c.window.kind})`, p.units - billable));
    }
    const soft = room('prior-auth');
    const unmanaged = Math.min(billable, soft ? soft.left : Infinity);
    let needAuth = billable - unmanaged;
    let covered = 0;
    let ref: string | undefined;
    let authId: string | undefined;
    if (needAuth > 0) {
      const auth = openAuthorizations(context, authLeft, pid, p.code, p.item.dos)[0];
      if (auth) {
        const left = authLeft.get(auth.id) ?? authUnitsLeft(auth, context);
        covered = Math.min(needAuth, left);
        ref = auth.reference;
        authId = auth.id;
      }
      needAuth -= covered;
      if (needAuth > 0 && soft) {
        found.push(finding('PB-PRIOR-AUTH', `${needAuth} unit(s) beyond ${soft.c.id} (${soft.c.maxUnits} per ${soft.c.window.kind}) without prior authorization units remaining`, needAuth));
      }
    }
    let billed = unmanaged + covered;
    if (policy === 'hold-whole' && billed < p.units) {
      billed = 0;
      covered = 0;
    }
    if (found.length) capFindings.set(key, [...(capFindings.get(key) ?? []), ...found]);
    if (billed > 0) {
      if (authId && covered > 0) {
        const auth = (context.priorAuthorizations ?? []).find((a) => a.id === authId) as NonNullable<BillingContext['priorAuthorizations']>[number];
        const before = authLeft.get(authId) ?? authUnitsLeft(auth, context);
        authLeft.set(authId, before - covered);
      }
      lines.set(key, [...(lines.get(key) ?? []), makeLine(p, billed, covered, covered > 0 ? ref : undefined, state)]);
      usage.push({ participantId: pid, date: p.item.dos, code: p.code, units: billed, priorAuthUnits: covered });
    }
  }

  const decisions: BillingDecision[] = items.map((item) => {
    const itemLines = lines.get(item.key) ?? [];
    const editHolds = holds.get(item.key) as Finding[];
    const billedUnits = itemLines.reduce((s, l) => s + l.units, 0);
    const requestedUnits = editHolds.length ? standaloneUnits(item, pack) : (requested.get(item.key) ?? 0);
    const itemHolds = [...editHolds, ...(capFindings.get(item.key) ?? [])];
    const counted = countedIn.get(item.key);
    if (editHolds.length === 0 && requestedUnits === 0 && counted === undefined) {
      itemHolds.push(finding('PB-UNITS-MINIMUM', `${item.minutes} min is below one billable unit under ${pack.id}`));
    }
    const warnings: Finding[] = [...(itemWarnings.get(item.key) ?? [])];
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
  });

  const all = decisions.flatMap((d) => d.lines);
  const sum = (f: (d: BillingDecision) => number) => decisions.reduce((s, d) => s + f(d), 0);
  return {
    packId: pack.id,
    packVersion: pack.version,
    decisions,
    lines: all,
    totals: {
      items: decisions.length,
      billed: decisions.filter((d) => d.status === 'billed').length,
      partial: decisions.filter((d) => d.status === 'partial').length,
      held: decisions.filter((d) => d.status === 'held').length,
      requestedUnits: sum((d) => d.requestedUnits),
      billedUnits: sum((d) => d.billedUnits),
      heldUnits: sum((d) => d.heldUnits),
      charge: round2(all.reduce((s, l) => s + (l.charge ?? 0), 0)),
      linesWithoutRate: all.filter((l) => l.rate === null).length,
    },
  };
}
