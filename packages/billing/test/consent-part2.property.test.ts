// Issue 11, acceptance 1 for billing: over random consents (kinds, purposes, recipients, signature, period,
// revocation, status), random billing-run instants in random offsets and both rules, a Part 2 encounter is billed
// exactly when the billing rule permits it — a consent of the participant covering payment to this payer in effect
// on the date of service or at the billing run (42 CFR 2.31(a)(6); `strict`: both) — and held otherwise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierSystems, readDisclosureAuditEvent, type ConsentDirective } from '@peer-fhir/core';
import { buildClaims, buildCorrectionClaims, claimDisclosureAudits, evaluate, getPack, planCorrections, priorClaimFromFhir } from '../src/index.js';
import { context, encounter, ORG_NPI, PAYER_ID, part2Consent } from './support/factories.js';

const RUNS = process.env.PEER_FHIR_LONG === '1' ? 100_000 : 1_000;
const NJ = getPack('nj-horizon-sud-peer-2020');
const DOS = '2025-01-14'; // the factory's date of service
const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const base = Date.parse('2025-01-01T00:00:00Z');
const day = fc.integer({ min: 0, max: 60 }).map((n) => dayOf(base + n * DAY_MS));

let seq = 0;
const consentArb = fc
  .record({
    participantId: fc.constantFrom('p-1', 'p-1', 'p-2'),
    kind: fc.constantFrom('part2-tpo', 'part2-specific', 'hipaa-authorization'),
    recipient: fc.constantFrom('class', 'payer', 'other-payer'),
    payment: fc.boolean(),
    signed: day,
    startAfterSigned: fc.integer({ min: 0, max: 20 }),
    length: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    revokedMinutes: fc.option(fc.integer({ min: 0, max: 60 * 24 * 60 }), { nil: undefined }),
    draft: fc.boolean(),
  })
  .filter((c) => c.kind === 'part2-tpo' || c.recipient !== 'class')
  .map((c): ConsentDirective => {
    const start = dayOf(Date.parse(`${c.signed}T00:00:00Z`) + c.startAfterSigned * DAY_MS);
    const revokedAt = c.revokedMinutes === undefined ? undefined : new Date(base + c.revokedMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const payer = (value: string) => [{ kind: 'organization', name: 'Plan', identifier: { system: identifierSystems({ agency: ORG_NPI }).payer, value } }];
    return part2Consent({
      id: `c-${++seq}`,
      participantId: c.participantId,
      kind: c.kind,
      recipients: c.recipient === 'class' ? [] : payer(c.recipient === 'payer' ? PAYER_ID : 'OTHER'),
      purposes: c.payment ? ['treatment', 'payment'] : ['treatment'],
      signedDate: c.signed,
      period: { start, ...(c.length === undefined ? {} : { end: dayOf(Date.parse(`${start}T00:00:00Z`) + c.length * DAY_MS) }) },
      status: revokedAt !== undefined ? 'inactive' : c.draft ? 'draft' : 'active',
      ...(revokedAt === undefined ? {} : { revokedAt }),
    });
  });
const billedAt = fc.tuple(fc.integer({ min: 14 * 24 * 60, max: 70 * 24 * 60 }), fc.integer({ min: -10, max: 14 })).map(([minutes, offset]) => {
  const ms = base + minutes * 60_000;
  const local = new Date(ms + offset * 3_600_000).toISOString().slice(0, 19);
  return { ms, text: offset === 0 ? `${local}Z` : `${local}${offset < 0 ? '-' : '+'}${String(Math.abs(offset)).padStart(2, '0')}:00` };
});

/** From the rules: does `c` permit disclosing p-1's Part 2 claim to the payer for payment at this moment? */
function permits(c: ConsentDirective, moment: { day: string; ms?: number }): boolean {
  if (c.participantId !== 'p-1' || c.kind === 'hipaa-authorization' || !c.purposes.includes('payment')) return false;
  const recipientOk = c.kind === 'part2-tpo' && c.recipients.length === 0 ? true : c.recipients.some((r) => r.identifier?.value === PAYER_ID);
  if (!recipientOk) return false;
  if (c.revokedAt !== undefined) {
    // Revocable at any time; a date-only moment counts a revocation that day (fail closed).
    const revoked = moment.ms === undefined ? c.revokedAt.slice(0, 10) <= moment.day : Date.parse(c.revokedAt) <= moment.ms;
    if (revoked) return false;
  } else if (c.status !== 'active') return false;
  return c.signedDate <= moment.day && c.period.start <= moment.day && (c.period.end === undefined || moment.day <= c.period.end);
}

describe('PB-CONSENT-PART2 over generated consents and billing runs (property)', () => {
  it(`bills a Part 2 encounter exactly when the billing rule permits (${RUNS} runs)`, () => {
    let billed = 0;
    fc.assert(
      fc.property(fc.array(consentArb, { maxLength: 3 }), billedAt, fc.constantFrom<'reliance' | 'strict'>('reliance', 'strict'), (consents, run, rule) => {
        const d = evaluate(context(NJ, { encounters: [encounter({ part2: true })], consents, billedAt: run.text, part2ConsentRule: rule })).decisions[0]!;
        const atService = consents.some((c) => permits(c, { day: DOS }));
        const atRun = consents.some((c) => permits(c, { day: dayOf(run.ms), ms: run.ms }));
        const allowed = rule === 'strict' ? atService && atRun : atService || atRun;
        const heldForConsent = d.holds.some((h) => h.code === 'PB-CONSENT-PART2');
        expect(heldForConsent).toBe(!allowed);
        if (!heldForConsent) billed++;
      }),
      { numRuns: RUNS },
    );
    expect(billed).toBeGreaterThan(0);
  }, 600_000);
});

// Issue 14 (leftover of 12): a void repeats the original claim's Part 2 data to the payer; its disclosure record names
// the same consents the original's did, for every consent timeline (nothing changed between the two runs).
describe('the disclosure record of a void', () => {
  const VOID_RUNS = process.env.PEER_FHIR_LONG === '1' ? 10_000 : 150;
  it('names exactly the consents the original claim\'s record named', () => {
    let voids = 0;
    fc.assert(
      // Often with the factory's TPO consent, in effect throughout, so that many originals are billed at all.
      fc.property(fc.array(consentArb, { maxLength: 3 }), fc.boolean(), billedAt, fc.constantFrom('reliance' as const, 'strict' as const), (random, withTpo, at, rule) => {
        const consents = withTpo ? [part2Consent({ id: 'c-tpo' }), ...random] : random;
        const enc = encounter({ part2: true });
        const ctx = context(NJ, { encounters: [enc], consents, billedAt: at.text, part2ConsentRule: rule });
        const lines = evaluate(ctx).lines;
        const original = buildClaims(lines, { pack: NJ, created: '2025-03-01' });
        if (original.length === 0) return; // held: nothing disclosed, nothing to void
        const prior = original.map((c) => priorClaimFromFhir(c, { agency: ORG_NPI }, { payerClaimNumber: 'ICN1' })!);
        const later = { ...ctx, encounters: [{ ...enc, status: 'entered-in-error' as const }], priorClaims: prior };
        const voided = buildCorrectionClaims(planCorrections(later), { pack: NJ, created: '2025-03-02' });
        expect(voided).toHaveLength(1);
        voids++;
        const named = (claims: typeof original, l: typeof lines, c: typeof ctx) =>
          claimDisclosureAudits(claims, l, c, { discloser: { npi: ORG_NPI }, channel: 'x12-837p' }).map((a) => [...(readDisclosureAuditEvent(a)?.consentIds ?? [])].sort());
        expect(named(voided, evaluate(later).lines, later)).toEqual(named(original, lines, ctx));
      }),
      { numRuns: VOID_RUNS, seed: Number(process.env['PEER_FHIR_SEED'] ?? 14) },
    );
    expect(voids).toBeGreaterThan(VOID_RUNS / 4);
  });
});
