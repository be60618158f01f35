// Acceptance (billing + x12): a year of synthetic encounters through every seed rule pack ends billed or held with
// reasons and within every cap; the Claims validate, become an 837P that an independent parser reads back with the
// counts and amounts billing decided, and an 835 for them maps to valid ClaimResponses and reconciles line by line
// back to the encounters.
import type { Claim, ClaimItem } from 'fhir/r4.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseX12Independently as parseIndependently, type FormattedSegment } from '../support/x12-parser.js';
import { canDisclose, identifierSystems, isPart2Protected, part2SecurityLabels, type PeerEncounter } from '@peer-fhir/core';
import {
  buildClaimBundle,
  evaluate,
  listPacks,
  type BillingContext,
  type BillingLine,
  type BillingResult,
  type RulePack,
} from '@peer-fhir/billing';
import {
  read835,
  reconcile,
  remittanceToClaimResponses,
  resolveX12ClaimInput,
  write837P,
  type X12ClaimInput,
} from '@peer-fhir/x12';
import { build835ForTest, type LineDecision } from '@peer-fhir/x12/testing';
import { billableAgency, generateAgency, syntheticBillingContext, withPlaceholderRates, type SyntheticAgency } from '@peer-fhir/testing';
import { validationProblems } from '../support/validators.js';

/** A full year of 40 participants for every pack (about 8 s for all seven); shrink a pack here if it gets slow. */
const SIZES: Record<string, { months: number; participants: number }> = {};
const DEFAULT_SIZE = { months: 12, participants: 40 };

// Test-only prices for packs whose source gives no rate (`amount: null`): an 837P line needs a charge (SV102).
const TEST_RATES: Record<string, number> = { H0038: 6.25, G0140: 82.5, G0146: 51.75 };

function priced(pack: RulePack): RulePack {
  return withPlaceholderRates(pack, TEST_RATES, 'acceptance-test price, not a fee schedule');
}

function agencyFor(pack: RulePack, seed: number): SyntheticAgency {
  const size = SIZES[pack.id] ?? DEFAULT_SIZE;
  // Medicare PIN-PS is national: bill it from any state.
  return billableAgency(generateAgency({ seed, months: size.months, participants: size.participants, state: pack.state === 'US' ? 'NC' : pack.state }));
}

/** Every 8th participant has no service order; orders are signed 0, 5 or 10 days before the first service. */
function contextFor(pack: RulePack, agency: SyntheticAgency): BillingContext {
  return syntheticBillingContext(agency, pack, { withoutServiceOrderEvery: 8, backdateDays: 5 });
}

// Independent window arithmetic for the cap kinds the seed packs use (no episodes and no history here).
function windowContains(cap: RulePack['caps'][number], dos: string, d: string): boolean {
  if (d > dos) return false;
  const w = cap.window;
  if (w.kind === 'day') return d === dos;
  if (w.kind === 'calendar-month') return d.slice(0, 7) === dos.slice(0, 7);
  if (w.kind === 'rolling') {
    const start = new Date(`${dos}T00:00:00Z`);
    start.setUTCMonth(start.getUTCMonth() - (w.months ?? 0));
    start.setUTCDate(start.getUTCDate() - (w.days ?? 0) + 1);
    return d >= start.toISOString().slice(0, 10);
  }
  const startMonth = w.kind === 'fiscal-year' ? w.startMonth : (w.fiscalYearStartMonth ?? 1);
  const fy = (x: string) => (Number(x.slice(5, 7)) >= startMonth ? Number(x.slice(0, 4)) : Number(x.slice(0, 4)) - 1);
  return fy(d) === fy(dos);
}

/** The largest number of units (outside prior authorization, for prior-auth caps) any cap window holds. */
function capExcess(pack: RulePack, ctx: BillingContext, lines: readonly BillingLine[]): string[] {
  const out: string[] = [];
  const byParticipant = new Map<string, BillingLine[]>();
  for (const l of lines) byParticipant.set(l.participantId, [...(byParticipant.get(l.participantId) ?? []), l]);
  for (const cap of pack.caps) {
    for (const [, ls] of byParticipant) {
      const counted = ls.filter((l) => !cap.codes || cap.codes.includes(l.code));
      for (const l of counted) {
        const inWindow = counted.filter((u) => windowContains(cap, l.dateOfService, u.dateOfService));
        const units = inWindow.reduce((s, u) => s + (cap.beyond === 'hold' ? u.units : u.units - u.priorAuthUnits), 0);
        if (units > cap.maxUnits) out.push(`${cap.id}: ${units} > ${cap.maxUnits} on ${l.dateOfService}`);
      }
    }
  }
  for (const a of ctx.priorAuthorizations ?? []) {
    const drawn = lines.filter((l) => l.preAuthRef === a.reference && l.participantId === a.participantId).reduce((s, l) => s + l.priorAuthUnits, 0);
    if (drawn > a.units - a.unitsUsed) out.push(`authorization over-drawn: ${drawn} > ${a.units - a.unitsUsed}`);
  }
  return out;
}


// x12-parser keys elements by position ('1') and composite components after the first by position ('1-1', '1-2', ...).
const el = (s: FormattedSegment, n: number | string): string => String((s as unknown as Record<string, unknown>)[String(n)] ?? '');
const cents = (v: string | number | undefined): number => Math.round(Number(v ?? 0) * 100);

/** Split segments into groups that open at `start` and end before the next `start` or any of `closers`. */
function groups(segs: readonly FormattedSegment[], start: string, closers: readonly string[]): FormattedSegment[][] {
  const out: FormattedSegment[][] = [];
  let cur: FormattedSegment[] | undefined;
  for (const s of segs) {
    if (s.name === start || closers.includes(s.name)) {
      if (cur) out.push(cur);
      cur = s.name === start ? [s] : undefined;
    } else if (cur) cur.push(s);
  }
  if (cur) out.push(cur);
  return out;
}

const itemModifiers = (i: ClaimItem) => (i.modifier ?? []).map((m) => m.coding?.[0]?.code ?? '');
const lineKey = (encounterId: string, participantId: string, code: string, modifiers: readonly string[], units: number) =>
  `${encounterId}|${participantId}|${code}|${modifiers.join(':')}|${units}`;

/** The encounter id and participant a Claim item points at, through its `encounter` reference (core's keys). */
function encounterOf(claim: Claim, item: ClaimItem): { encounterId: string; participantId: string } {
  const value = item.encounter?.[0]?.identifier?.value ?? '';
  const participantId = claim.patient.identifier?.value ?? '';
  // individual: `{encounterId}`; group attendance: `{encounterId}:{participantId}`
  return { encounterId: value.endsWith(`:${participantId}`) ? value.slice(0, -participantId.length - 1) : value, participantId };
}

const X12_OPTIONS = {
  sender: { id: 'PEERFHIRTEST' },
  receiver: { id: 'SYNMEDICAID', name: 'Synthetic Medicaid' },
  submitter: { name: 'Peer Recovery Collective', contact: { name: 'Billing Office', phone: '5555550100' } },
  controlNumbers: { isa: 101, gs: 7, st: 1 },
  usage: 'T' as const,
  date: new Date('2026-01-15T12:00:00Z'),
  maxClaimsPerTransaction: 60,
};

type Expected = 'paid' | 'adjusted' | 'denied';

/** The payer's decision for a line, cycling through every outcome; records what reconciliation must find. */
function decider(expected: Map<string, Expected>) {
  let n = 0;
  return (input: X12ClaimInput, item: ClaimItem): LineDecision => {
    const key = `${input.claim.identifier?.[0]?.value}|${item.sequence}`;
    const charge = cents(item.net?.value);
    const k = n++ % 7;
    if (k === 0) {
      expected.set(key, 'denied');
      return { kind: 'denied', reason: input.claim.insurance[0]?.preAuthRef ? '119' : '197' };
    }
    if (k === 1 || k === 2) {
      // Fee-schedule reduction (CO-45 for the difference): reconciliation still calls it paid.
      expected.set(key, 'paid');
      return { kind: 'partial', paid: Math.floor(charge * 0.8) / 100 };
    }
    if (k === 3) {
      // Units reduced (CO-151) on top of nothing else: paid, but adjusted.
      expected.set(key, 'adjusted');
      const paid = Math.floor(charge / 2);
      return { kind: 'partial', paid: paid / 100, adjustments: [{ group: 'CO', reason: '151', amount: (charge - paid) / 100 }] };
    }
    expected.set(key, 'paid');
    return { kind: 'paid' };
  };
}

interface PackRun {
  pack: RulePack;
  agency: SyntheticAgency;
  ctx: BillingContext;
  result: BillingResult;
  claims: Claim[];
  inputs: X12ClaimInput[];
  text837: string;
  segs837: FormattedSegment[];
}

async function runPack(seedPack: RulePack, seed: number): Promise<PackRun> {
  const pack = priced(seedPack);
  const agency = agencyFor(pack, seed);
  const ctx = contextFor(pack, agency);
  const result = evaluate(ctx);
  const bundle = buildClaimBundle(result.lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2026-01-15' });
  const claims = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
  const inputs = claims.map((c) => resolveX12ClaimInput(c, bundle));
  const text837 = write837P(inputs, X12_OPTIONS);
  return { pack, agency, ctx, result, claims, inputs, text837, segs837: await parseIndependently(text837) };
}

const report: string[] = [];

describe.each(listPacks().map((p, i) => [p.id, p, 2026 + i] as const))('a year of synthetic encounters under %s', (_id, seedPack, seed) => {
  let run: PackRun;
  beforeAll(async () => {
    run = await runPack(seedPack, seed);
  });

  it('ends every encounter x attendee billed or held with reasons, within every cap', async () => {
    const { result, ctx, pack, agency } = run;
    const items = agency.encounters.reduce((s: number, e: PeerEncounter) => s + e.attendees.length, 0);
    expect(result.decisions).toHaveLength(items);
    const seen = new Set(result.decisions.map((d) => `${d.encounterId}/${d.participantId}`));
    expect(seen.size).toBe(items);
    for (const d of result.decisions) {
      if (d.status === 'billed') expect(d.holds).toEqual([]);
      else expect(d.holds.length).toBeGreaterThan(0);
      for (const h of d.holds) expect(h.reason.length).toBeGreaterThan(0);
    }
    expect(result.totals.billed + result.totals.partial + result.totals.held).toBe(items);
    expect(result.totals.billed).toBeGreaterThan(0);
    expect(capExcess(pack, ctx, result.lines)).toEqual([]);
    // Part 2 lines were billed only with a consent core permits for payment to the payer on the date of service or
    // at the billing run (42 CFR 2.31(a)(6), the default reliance rule).
    const part2 = result.lines.filter((l) => l.part2);
    for (const l of part2) {
      const at = (moment: string) =>
        canDisclose({
          resource: { resourceType: 'Claim', meta: { security: part2SecurityLabels() } },
          recipient: { kind: 'organization', isTpoRecipient: true, identifier: { system: identifierSystems({ agency: l.organizationNpi }).payer, value: l.payerId } },
          purpose: 'payment',
          at: moment,
          consents: agency.consents,
          participantId: l.participantId,
        }).decision;
      expect([at(l.dateOfService), at(ctx.billedAt ?? l.dateOfService)]).toContain('permit');
    }
    const heldForConsent = result.decisions.filter((d) => d.holds.some((h) => h.code === 'PB-CONSENT-PART2'));
    expect(part2.length + heldForConsent.length).toBeGreaterThan(0);
  });

  it('builds Claims that pass both FHIR validators', async () => {
    expect(run.claims.length).toBeGreaterThan(0);
    expect(run.claims.reduce((s, c) => s + (c.item?.length ?? 0), 0)).toBe(run.result.lines.length);
    for (const c of run.claims) expect(validationProblems(c)).toEqual([]);
  });

  it('writes an 837P the independent x12-parser reads back with billing’s counts, amounts and codes', async () => {
    const { segs837: segs, claims, result } = run;
    const isa = segs[0]!;
    const iea = segs.at(-1)!;
    const ge = segs.at(-2)!;
    expect([isa.name, ge.name, iea.name]).toEqual(['ISA', 'GE', 'IEA']);
    const txs = groups(segs, 'ST', ['GE']).map((g) => g.filter((s) => s.name !== 'GE'));
    for (const tx of txs) {
      expect(tx.at(-1)!.name).toBe('SE');
      expect(Number(el(tx.at(-1)!, 1))).toBe(tx.length);
    }
    expect(Number(el(ge, 1))).toBe(txs.length);
    expect(Number(el(iea, 1))).toBe(segs.filter((s) => s.name === 'GS').length);

    const written = txs.flatMap((tx) => groups(tx, 'CLM', ['HL', 'SE']));
    expect(written).toHaveLength(claims.length);
    let units = 0;
    let charges = 0;
    written.forEach((w, i) => {
      const claim = claims[i]!;
      const clm = w[0]!;
      const sv1 = w.filter((s) => s.name === 'SV1');
      expect(el(clm, 1)).toBe(claim.identifier?.[0]?.value);
      expect(cents(el(clm, 2))).toBe(sv1.reduce((t, s) => t + cents(el(s, 2)), 0));
      // CLM09: x12 writes Y for every claim by default, Part 2 included (signed consent on file, 42 CFR 2.31).
      expect(el(clm, 9)).toBe('Y');
      const hi = w.find((s) => s.name === 'HI')!;
      const hiCodes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].filter((n) => el(hi, n) !== '').map((n) => el(hi, `${n}-1`));
      expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => el(hi, n)).filter(Boolean)).toEqual(hiCodes.map((_, k) => (k === 0 ? 'ABK' : 'ABF')));
      expect(hiCodes).toEqual((claim.diagnosis ?? []).map((d) => d.diagnosisCodeableConcept!.coding![0]!.code!.replace('.', '')));
      for (const c of hiCodes) expect(c).toMatch(/^[A-Z][0-9A-Z]{2,6}$/);
      const items = claim.item ?? [];
      expect(sv1).toHaveLength(items.length);
      sv1.forEach((s, j) => {
        const qualifier = el(s, 1);
        const code = el(s, '1-1');
        const mods = ['1-2', '1-3', '1-4', '1-5'].map((k) => el(s, k)).filter(Boolean);
        expect(qualifier).toBe('HC');
        expect(code).toBe(items[j]!.productOrService.coding![0]!.code);
        expect(mods).toEqual(itemModifiers(items[j]!));
        expect(Number(el(s, 4))).toBe(items[j]!.quantity!.value);
        units += Number(el(s, 4));
        charges += cents(el(s, 2));
      });
    });
    expect(units).toBe(result.totals.billedUnits);
    expect(charges).toBe(result.lines.reduce((s, l) => s + cents(l.charge ?? 0), 0));
    expect(charges).toBe(cents(result.totals.charge));

    // Every SV1 is a billing line with the modifiers billing decided (matched through the item's encounter).
    const billed = result.lines.map((l) => lineKey(l.encounterId, l.participantId, l.code, l.modifiers, l.units)).sort();
    const onClaims = claims.flatMap((c) => (c.item ?? []).map((i) => {
      const { encounterId, participantId } = encounterOf(c, i);
      return lineKey(encounterId, participantId, i.productOrService.coding![0]!.code!, itemModifiers(i), i.quantity!.value!);
    })).sort();
    expect(onClaims).toEqual(billed);
  });

  it('writes CLM09 = I on exactly the Part 2 claims when a payer asks for it', async () => {
    const segs = await parseIndependently(write837P(run.inputs, { ...X12_OPTIONS, part2ReleaseOfInformationCode: 'I' }));
    const clm09 = segs.filter((s) => s.name === 'CLM').map((s) => el(s, 9));
    expect(clm09).toEqual(run.claims.map((c) => (isPart2Protected(c) ? 'I' : 'Y')));
  });

  it('reads an 835 for the claims into valid ClaimResponses and reconciles every line to its encounter', async () => {
    const { claims, inputs, agency, pack, result } = run;
    const expected = new Map<string, Expected>();
    const text835 = build835ForTest(inputs, decider(expected), {
      sender: { id: 'SYNMEDICAID' },
      receiver: { id: 'PEERFHIRTEST' },
      traceNumber: `EFT${seed}`,
      payer: { name: 'Synthetic Medicaid', tin: '999999999', id: 'SYNMEDICAID' },
      date: new Date('2026-02-02T12:00:00Z'),
      controlNumbers: { isa: 501, gs: 9, st: 1 },
    });
    const remittances = read835(text835);
    expect(remittances).toHaveLength(1);
    const responses = remittances.flatMap((r) => remittanceToClaimResponses(r, claims));
    expect(responses).toHaveLength(claims.length);
    for (const r of responses) expect(validationProblems(r)).toEqual([]);

    const rec = reconcile(claims, remittances);
    expect(rec.claimsWithoutRemittance).toEqual([]);
    expect(rec.remittanceClaimsWithoutClaim).toEqual([]);
    expect(rec.lines).toHaveLength(result.lines.length);
    const claimsByPcn = new Map(claims.map((c) => [c.identifier![0]!.value!, c]));
    const encounters = new Set(agency.encounters.map((e: PeerEncounter) => e.id));
    const counts = { paid: 0, adjusted: 0, denied: 0 };
    for (const l of rec.lines) {
      expect(l.outcome).toBe(expected.get(`${l.patientControlNumber}|${l.itemSequence}`));
      const claim = claimsByPcn.get(l.patientControlNumber)!;
      const item = claim.item!.find((i) => i.sequence === l.itemSequence)!;
      expect(l.procedure).toBe(item.productOrService.coding![0]!.code);
      expect(encounters.has(encounterOf(claim, item).encounterId)).toBe(true);
      expect(l.balanced).toBe(true);
      expect(cents(l.billed)).toBe(cents(l.paid) + cents(l.adjusted));
      expect(cents(l.billed)).toBe(cents(item.net?.value));
      counts[l.outcome as Expected] += 1;
    }
    const built = { paid: 0, adjusted: 0, denied: 0 };
    for (const v of expected.values()) built[v] += 1;
    expect(counts).toEqual(built);
    expect(cents(rec.totals.billed)).toBe(cents(rec.totals.paid) + cents(rec.totals.adjusted));

    const holds: Record<string, number> = {};
    for (const d of result.decisions) for (const h of d.holds) holds[h.code] = (holds[h.code] ?? 0) + 1;
    report.push(
      [
        pack.id,
        `items=${result.decisions.length}`,
        `billed=${result.totals.billed} partial=${result.totals.partial} held=${result.totals.held} part2Lines=${result.lines.filter((l) => l.part2).length}`,
        `holds=${JSON.stringify(holds)}`,
        `lines=${result.lines.length} units=${result.totals.billedUnits}`,
        `claims=${claims.length} segments837=${run.segs837.length}`,
        `835 paid=${counts.paid} adjusted=${counts.adjusted} denied=${counts.denied}`,
        `reconciled=${rec.lines.length}`,
      ].join(' | '),
    );
    if (process.env.BILLING_YEAR_REPORT) console.log(report.at(-1));
  });
});
