/**
 * The cap and prior-authorization pass of `evaluate`: one walk over the pending units in evaluation order (encounter
 * start, encounter id, participant id), so earlier services consume a cap's room and an authorization's units first.
 * @module
 */
import type { MedicaidCoverage } from '@peer-fhir/core';
import type { BillingContext } from './context.js';
import type { BillingLine, Finding } from './decision.js';
import { lineDiagnoses } from './edits/diagnosis.js';
import { unconfirmedRuleWarnings } from './edits/rule-unconfirmed.js';
import type { Pending } from './evaluate-units.js';
import { authUnitsLeft, openAuthorizations, usedInWindow, type Usage } from './internal/caps.js';
import { finding, type EvalState } from './internal/item.js';
import { buildModifiers, findRate, telehealthModifiers } from './internal/lines.js';
import type { CapRule } from './pack/schema.js';

/** What the pass carries from one pending line to the next, and hands back to `evaluate`. */
export interface CapLedger {
  /** The billed history plus every line this pass billed: each cap window counts it. */
  readonly usage: Usage[];
  /** Units left per authorization id after this pass's draws (absent: not drawn yet, see `authUnitsLeft`). */
  readonly authLeft: Map<string, number>;
  /** Billed lines per item key. */
  readonly lines: Map<string, BillingLine[]>;
  /** Units asked for per item key (before caps). */
  readonly requested: Map<string, number>;
  /** PB-CAP / PB-PRIOR-AUTH findings per item key. */
  readonly capFindings: Map<string, Finding[]>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** A billed line: the item's modifiers and rate, the units that stand, and the authorization they drew on. */
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
 * The tightest cap of one kind that applies to the line's code: the one with the least room left in its window ending
 * on the date of service (history and this pass's earlier lines count).
 */
function tightestCap(p: Pending, beyond: CapRule['beyond'], state: EvalState, usage: readonly Usage[]): { c: CapRule; left: number } | undefined {
  const pid = p.item.attendee.participantId;
  return state.pack.caps
    .filter((c) => (c.codes === undefined || c.codes.includes(p.code)) && c.beyond === beyond)
    .map((c) => ({ c, left: Math.max(0, c.maxUnits - usedInWindow(c, usage, pid, p.item.dos, state.ctx)) }))
    .sort((a, b) => a.left - b.left)[0];
}

/** Units drawn from the oldest open authorization for the participant, code and date (at most `need`, at most its units left). */
interface Draw {
  covered: number;
  auth?: { id: string; reference: string; left: number };
}

function drawAuthorization(p: Pending, need: number, state: EvalState, ledger: CapLedger): Draw {
  if (need <= 0) return { covered: 0 };
  const auth = openAuthorizations(state.ctx, ledger.authLeft, p.item.attendee.participantId, p.code, p.item.dos)[0];
  if (!auth) return { covered: 0 };
  const left = ledger.authLeft.get(auth.id) ?? authUnitsLeft(auth, state.ctx);
  return { covered: Math.min(need, left), auth: { id: auth.id, reference: auth.reference, left } };
}

/**
 * One pending line through the caps:
 * 1. a hard cap (`beyond: hold`) cuts the units to its room; the rest is held as PB-CAP;
 * 2. a soft cap (`beyond: prior-auth`) lets its room through unmanaged; units beyond it need prior authorization, drawn
 *    from the oldest open authorization; what no authorization covers is held as PB-PRIOR-AUTH;
 * 3. under the `hold-whole` policy a line that cannot bill all its units bills none;
 * 4. what stands is billed: the authorization's units are drawn down and the line counts against later windows.
 */
function capOne(p: Pending, state: EvalState, ledger: CapLedger, policy: NonNullable<BillingContext['capPolicy']>): void {
  const pid = p.item.attendee.participantId;
  const key = p.item.key;
  ledger.requested.set(key, (ledger.requested.get(key) ?? 0) + p.units);
  const found: Finding[] = [];
  const hard = tightestCap(p, 'hold', state, ledger.usage);
  const billable = Math.min(p.units, hard ? hard.left : Infinity);
  if (billable < p.units && hard) {
    found.push(finding('PB-CAP', `${p.units - billable} unit(s) over cap ${hard.c.id} (${hard.c.maxUnits} per ${hard.c.window.kind})`, p.units - billable));
  }
  const soft = tightestCap(p, 'prior-auth', state, ledger.usage);
  const unmanaged = Math.min(billable, soft ? soft.left : Infinity);
  const draw = drawAuthorization(p, billable - unmanaged, state, ledger);
  const unauthorized = billable - unmanaged - draw.covered;
  if (unauthorized > 0 && soft) {
    found.push(finding('PB-PRIOR-AUTH', `${unauthorized} unit(s) beyond ${soft.c.id} (${soft.c.maxUnits} per ${soft.c.window.kind}) without prior authorization units remaining`, unauthorized));
  }
  const whole = policy !== 'hold-whole' || unmanaged + draw.covered >= p.units;
  const billed = whole ? unmanaged + draw.covered : 0;
  const covered = whole ? draw.covered : 0;
  if (found.length) ledger.capFindings.set(key, [...(ledger.capFindings.get(key) ?? []), ...found]);
  if (billed <= 0) return;
  if (draw.auth && covered > 0) ledger.authLeft.set(draw.auth.id, draw.auth.left - covered);
  ledger.lines.set(key, [...(ledger.lines.get(key) ?? []), makeLine(p, billed, covered, covered > 0 ? draw.auth?.reference : undefined, state)]);
  ledger.usage.push({ participantId: pid, date: p.item.dos, code: p.code, units: billed, priorAuthUnits: covered });
}

/** Run every pending line through the caps and prior authorization, in order. */
export function applyCaps(pending: readonly Pending[], state: EvalState): CapLedger {
  const ledger: CapLedger = {
    usage: (state.ctx.history ?? []).map((h) => ({ ...h })),
    authLeft: new Map(),
    lines: new Map(),
    requested: new Map(),
    capFindings: new Map(),
  };
  const policy = state.ctx.capPolicy ?? 'split';
  for (const p of pending) capOne(p, state, ledger, policy);
  return ledger;
}
