// Issue 12 acceptance 3: an encounter already billed is never billed again as an original (PB-DUPLICATE); a changed
// one gives exactly one replacement (CLM05-3 = 7) naming the payer's claim number (REF*F8), a voided one a void (8);
// without the payer's number the correction waits, counted.
import fc from 'fast-check';
import { Extensions, Systems, type PeerEncounter } from '@peer-fhir/core';
import type { Claim } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { billedUnitsFromClaims, buildClaims, buildCorrectionClaims, evaluate, getPack, planCorrections, priorClaimFromFhir, type BillingContext, type PriorClaim } from '../src/index.js';
import { context, encounter, ORG_NPI } from './support/factories.js';

const NC = getPack('nc-alliance-peer-support-2019');
const SCOPE = { agency: ORG_NPI };

/** Bill `encounters` once and read the stored claims back as prior claims, answered by the payer (ICN per claim). */
function billedBefore(encounters: PeerEncounter[], answered = true): { ctx: BillingContext; claims: Claim[]; prior: PriorClaim[] } {
  const ctx = context(NC, { encounters });
  const claims = buildClaims(evaluate(ctx).lines, { pack: NC, created: '2025-02-01' });
  const prior = claims.map((c, i) => priorClaimFromFhir(c, SCOPE, answered ? { payerClaimNumber: `ICN${i + 1}` } : {})!);
  return { ctx, claims, prior };
}
const frequencyOf = (c: Claim) => c.extension?.find((e) => e.url === Extensions.ClaimFrequency)?.valueCode;
const f8Of = (c: Claim) => c.related?.find((r) => r.relationship?.coding?.some((x) => x.system === Systems.RELATED_CLAIM_RELATIONSHIP && x.code === 'prior'))?.reference?.value;

describe('PB-DUPLICATE', () => {
  it('holds an encounter that is on a standing claim, so no second original is produced', () => {
    const enc = encounter({ date: '2025-01-06' });
    const { prior } = billedBefore([enc]);
    const again = evaluate(context(NC, { encounters: [enc], priorClaims: prior }));
    expect(again.lines).toEqual([]);
    expect(again.decisions[0]?.holds.map((h) => h.code)).toEqual(['PB-DUPLICATE']);
  });

  it('bills again a claim rejected before adjudication, and one that was voided', () => {
    const enc = encounter({ date: '2025-01-07' });
    const { prior } = billedBefore([enc]);
    const rejected = prior.map((p) => ({ ...p, rejected: true }));
    expect(evaluate(context(NC, { encounters: [enc], priorClaims: rejected })).lines).toHaveLength(1);
    const voided: PriorClaim[] = [...prior, { ...prior[0]!, claimId: 'v', frequency: '8', replaces: prior[0]!.payerClaimNumber, payerClaimNumber: 'ICN-V' }];
    expect(evaluate(context(NC, { encounters: [enc], priorClaims: voided })).lines).toHaveLength(1);
  });

  it('never lets an encounter on a standing claim reach an original line, whatever was billed before (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 20, max: 120 }), { minLength: 6, maxLength: 6 }), (billed, minutes) => {
        const encounters = billed.map((_b, i) => encounter({ date: `2025-01-${String(6 + i).padStart(2, '0')}`, minutes: minutes[i] }));
        const { prior } = billedBefore(encounters.filter((_e, i) => billed[i]));
        const onClaims = new Set(prior.flatMap((p) => p.items.map((x) => x.encounterId)));
        const lines = evaluate(context(NC, { encounters, priorClaims: prior })).lines;
        expect(lines.filter((l) => onClaims.has(l.encounterId))).toEqual([]);
        // Everything not billed before bills as it would without history.
        const fresh = evaluate(context(NC, { encounters })).lines.filter((l) => !onClaims.has(l.encounterId));
        expect(new Set(lines.map((l) => l.encounterId))).toEqual(new Set(fresh.map((l) => l.encounterId)));
      }),
      { numRuns: 60, seed: 12 },
    );
  });
});

describe('planCorrections', () => {
  it('finds nothing to send when the billed encounters bill the same now', () => {
    const enc = encounter({ date: '2025-01-08' });
    const { prior } = billedBefore([enc]);
    expect(planCorrections(context(NC, { encounters: [enc], priorClaims: prior }))).toMatchObject({ replacements: [], voids: [], awaitingPayerClaimNumber: [], unchanged: 1 });
  });

  it('gives exactly one replacement (frequency 7, REF*F8 = the payer claim number) for an amended encounter', () => {
    const enc = encounter({ date: '2025-01-09', minutes: 45 });
    const { prior } = billedBefore([enc]);
    const amended = { ...enc, end: enc.end.replace('T10:45', 'T11:30') };
    const ctx = context(NC, { encounters: [amended], priorClaims: prior });
    const plan = planCorrections(ctx);
    expect(plan.replacements).toHaveLength(1);
    const claims = buildCorrectionClaims(plan, { pack: NC, created: '2025-03-02' });
    expect(claims).toHaveLength(1);
    expect(frequencyOf(claims[0]!)).toBe('7');
    expect(f8Of(claims[0]!)).toBe('ICN1');
    // Its own CLM01 (TR3: 1-20 characters), not the original's.
    expect(claims[0]!.identifier?.[0]?.value).toMatch(/^[A-Z0-9]{1,20}$/);
    expect(claims[0]!.identifier?.[0]?.value).not.toBe(prior[0]!.claimId);
    expect(claims[0]!.item?.[0]?.quantity?.value).toBeGreaterThan(prior[0]!.items[0]!.units);
    // And no original for it.
    expect(evaluate(ctx).lines).toEqual([]);
  });

  it('gives one void (frequency 8) repeating the stored claim for an encounter entered in error', () => {
    const enc = encounter({ date: '2025-01-10' });
    const { prior, claims: stored } = billedBefore([enc]);
    const plan = planCorrections(context(NC, { encounters: [{ ...enc, status: 'entered-in-error' }], priorClaims: prior }));
    expect(plan.voids).toHaveLength(1);
    const [v] = buildCorrectionClaims(plan, { pack: NC, created: '2025-03-02' });
    expect(frequencyOf(v!)).toBe('8');
    expect(f8Of(v!)).toBe('ICN1');
    expect(v!.item).toEqual(stored[0]!.item);
  });

  it('holds a correction as awaiting the payer claim number when the payer has not answered', () => {
    const enc = encounter({ date: '2025-01-13' });
    const { prior } = billedBefore([enc], false);
    const plan = planCorrections(context(NC, { encounters: [{ ...enc, status: 'entered-in-error' }], priorClaims: prior }));
    expect(plan.voids).toEqual([]);
    expect(plan.awaitingPayerClaimNumber).toEqual([{ claimId: prior[0]!.claimId, kind: 'void', reason: 'payer-claim-number-unknown', encounterIds: [enc.id] }]);
  });

  it('treats a replaced claim as corrected: the replacement stands, the original does not', () => {
    const enc = encounter({ date: '2025-01-15', minutes: 45 });
    const { prior } = billedBefore([enc]);
    const amended = { ...enc, end: enc.end.replace('T10:45', 'T11:30') };
    const ctx = context(NC, { encounters: [amended], priorClaims: prior });
    const [replacement] = buildCorrectionClaims(planCorrections(ctx), { pack: NC, created: '2025-03-02' });
    const after = [...prior, priorClaimFromFhir(replacement!, SCOPE, { payerClaimNumber: 'ICN9' })!];
    expect(planCorrections(context(NC, { encounters: [amended], priorClaims: after }))).toMatchObject({ replacements: [], unchanged: 1 });
  });
});

// Caps count what stands billed: a replacement instead of the claim it corrects, nothing for a void and its original.
describe('billed units after corrections', () => {
  const unitsOf = (claims: Claim[]) => billedUnitsFromClaims(claims, { ...SCOPE, pack: NC }).reduce((n, u) => n + u.units, 0);

  it('counts a replacement instead of the claim it replaces', () => {
    const enc = encounter({ date: '2025-01-16', minutes: 45 });
    const { prior, claims: stored } = billedBefore([enc]);
    const amended = { ...enc, end: enc.end.replace('T10:45', 'T11:30') };
    const [replacement] = buildCorrectionClaims(planCorrections(context(NC, { encounters: [amended], priorClaims: prior })), { pack: NC, created: '2025-03-02' });
    expect(unitsOf([...stored, replacement!])).toBe(unitsOf([replacement!]));
    expect(unitsOf([replacement!])).toBeGreaterThan(unitsOf(stored));
  });

  it('counts nothing for a voided claim or its void', () => {
    const enc = encounter({ date: '2025-01-17' });
    const { prior, claims: stored } = billedBefore([enc]);
    const [v] = buildCorrectionClaims(planCorrections(context(NC, { encounters: [{ ...enc, status: 'entered-in-error' }], priorClaims: prior })), { pack: NC, created: '2025-03-02' });
    expect(unitsOf(stored)).toBeGreaterThan(0);
    expect(unitsOf([...stored, v!])).toBe(0);
  });
});
