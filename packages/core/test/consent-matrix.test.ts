/**
 * The disclosure matrix: every combination of consent state x kind x data scope x purpose x recipient x labels,
 * decided by `canDisclose` and by a small oracle written here from the rules (it does not call the library).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Coding } from 'fhir/r4.js';
import type { z } from 'zod';
import { ConsentDirective } from '../src/domain/consent.js';
import { canDisclose, type DisclosureRecipient, type PurposeKey } from '../src/consent/can-disclose.js';
import { ConsentRequiredError } from '../src/consent/consent-required-error.js';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const AT = '2026-03-01';
const NAMED_NPI = '1234567802';
const OTHER_NPI = '1234567810';
const TPO_NPI = '1234567828';

// The oracle's own lists, written from the rules rather than imported.
const PURPOSES: PurposeKey[] = ['treatment', 'payment', 'operations', 'care-coordination', 'research', 'public-health', 'patient-request', 'legal'];
const TPO: PurposeKey[] = ['treatment', 'payment', 'operations', 'care-coordination'];

const LABELS = {
  none: [],
  part2: [
    { system: CONF, code: 'R' },
    { system: ACT, code: 'SUD' },
    { system: ACT, code: '42CFRPart2' },
    { system: ACT, code: 'NORDSCLCD' },
  ],
  'eth-only': [{ system: ACT, code: 'ETH' }],
  'legacy-nordslcd': [
    { system: CONF, code: 'R' },
    { system: ACT, code: 'ETH' },
    { system: ACT, code: '42CFRPart2' },
    { system: ACT, code: 'NORDSLCD' },
  ],
} satisfies Record<string, Coding[]>;
type LabelSet = keyof typeof LABELS;

type State = 'none' | 'active' | 'expired' | 'revoked' | 'not-yet-effective';
type Kind = 'part2-tpo-class' | 'part2-tpo-named' | 'part2-specific' | 'hipaa-authorization';
type Scope = 'all' | 'sud-only' | 'other-type';
type RecipientCase = 'named' | 'other-org' | 'tpo-class';

const KIND_PURPOSES: Record<Kind, PurposeKey[]> = {
  'part2-tpo-class': TPO,
  'part2-tpo-named': TPO,
  'part2-specific': ['treatment', 'research', 'patient-request', 'legal'],
  'hipaa-authorization': ['payment', 'research', 'public-health', 'legal'],
};

const RECIPIENTS: Record<RecipientCase, DisclosureRecipient> = {
  named: { npi: NAMED_NPI, kind: 'organization', isTpoRecipient: false },
  'other-org': { npi: OTHER_NPI, kind: 'organization', isTpoRecipient: false },
  'tpo-class': { npi: TPO_NPI, kind: 'organization', isTpoRecipient: true },
};

const STATE_FIELDS: Record<Exclude<State, 'none'>, Partial<z.input<typeof ConsentDirective>>> = {
  active: { status: 'active', period: { start: '2026-01-01', end: '2026-12-31' }, signedDate: '2026-01-01' },
  expired: { status: 'active', period: { start: '2025-01-01', end: '2025-12-31' }, signedDate: '2025-01-01' },
  revoked: { status: 'inactive', period: { start: '2026-01-01' }, signedDate: '2026-01-01', revokedAt: '2026-02-01T10:00:00Z' },
  'not-yet-effective': { status: 'active', period: { start: '2026-06-01' }, signedDate: '2026-01-15' },
};

const STATE_CODES: Record<Exclude<State, 'none' | 'active'>, string> = {
  expired: 'CONSENT-EXPIRED',
  revoked: 'CONSENT-REVOKED',
  'not-yet-effective': 'CONSENT-NOT-YET-EFFECTIVE',
};

function buildConsent(state: Exclude<State, 'none'>, kind: Kind, scope: Scope, recipientName = 'Named Health Plan') {
  return ConsentDirective.parse({
    id: 'c-m',
    participantId: 'p-1',
    kind: kind.startsWith('part2-tpo') ? 'part2-tpo' : kind,
    recipients: kind === 'part2-tpo-class' ? [] : [{ kind: 'organization', name: recipientName, npi: NAMED_NPI }],
    purposes: KIND_PURPOSES[kind],
    dataScope:
      scope === 'all'
        ? { resourceTypes: [], sensitivities: [] }
        : scope === 'sud-only'
          ? { resourceTypes: [], sensitivities: ['SUD'] }
          : { resourceTypes: ['Claim'], sensitivities: [] },
    disclosingOrganizationNpi: '1234567893',
    ...STATE_FIELDS[state],
  });
}

interface Case {
  labels: LabelSet;
  state: State;
  kind: Kind;
  scope: Scope;
  purpose: PurposeKey;
  recipient: RecipientCase;
}

/** Does the (single) consent of this case permit, judged from the rules alone. */
function oracleConsentPermits(c: Case, part2: boolean): boolean {
  if (c.state !== 'active') return false;
  if (part2 && c.kind === 'hipaa-authorization') return false;
  if (!KIND_PURPOSES[c.kind].includes(c.purpose)) return false;
  const tpoKind = c.kind === 'part2-tpo-class' || c.kind === 'part2-tpo-named';
  if (tpoKind && !TPO.includes(c.purpose)) return false;
  const recipientOk = c.kind === 'part2-tpo-class' ? c.recipient === 'tpo-class' : c.recipient === 'named';
  if (!recipientOk) return false;
  // Encounter resource: "other-type" never covers it; "sud-only" covers it when it has any SUD-family label.
  if (c.scope === 'other-type') return false;
  if (c.scope === 'sud-only' && !part2) return false;
  return true;
}

function oracle(c: Case): 'permit' | 'deny' {
  const part2 = c.labels !== 'none';
  if (part2 && c.purpose === 'legal') return 'deny';
  if (!part2 && TPO.includes(c.purpose)) return 'permit';
  return oracleConsentPermits(c, part2) ? 'permit' : 'deny';
}

function* cases(): Generator<Case> {
  for (const labels of Object.keys(LABELS) as LabelSet[])
    for (const purpose of PURPOSES)
      for (const recipient of Object.keys(RECIPIENTS) as RecipientCase[]) {
        yield { labels, state: 'none', kind: 'part2-tpo-class', scope: 'all', purpose, recipient };
        for (const state of ['active', 'expired', 'revoked', 'not-yet-effective'] as const)
          for (const kind of Object.keys(KIND_PURPOSES) as Kind[])
            for (const scope of ['all', 'sud-only', 'other-type'] as const) yield { labels, state, kind, scope, purpose, recipient };
      }
}

const decide = (c: Case) =>
  canDisclose({
    resource: { resourceType: 'Encounter', id: 'e-1', meta: { security: LABELS[c.labels] } },
    recipient: RECIPIENTS[c.recipient],
    purpose: c.purpose,
    at: AT,
    consents: c.state === 'none' ? [] : [buildConsent(c.state, c.kind, c.scope)],
    participantId: 'p-1',
  });

describe('disclosure matrix', () => {
  const all = [...cases()];

  it('covers every combination of labels, consent state, kind, scope, purpose and recipient', () => {
    expect(all).toHaveLength(4 * PURPOSES.length * 3 * (1 + 4 * 4 * 3));
    // Not vacuous: the oracle permits and denies Part 2 and non-Part 2 data alike.
    const outcomes = new Set(all.map((c) => `${c.labels === 'none' ? 'plain' : 'part2'}:${oracle(c)}`));
    expect([...outcomes].sort()).toEqual(['part2:deny', 'part2:permit', 'plain:deny', 'plain:permit']);
  });

  it('gives the decision the rules give for every combination', () => {
    const mismatches = all.filter((c) => decide(c).decision !== oracle(c)).map((c) => JSON.stringify(c));
    expect(mismatches).toEqual([]);
  });

  it('permits zero Part 2 resources without an active matching consent', () => {
    const violations = all.filter((c) => {
      const d = decide(c);
      return d.part2 && d.decision === 'permit' && !(c.state === 'active' && oracleConsentPermits(c, true));
    });
    expect(violations).toEqual([]);
  });

  it('flags Part 2 on exactly the labelled resources, and asks for the notice on every permitted Part 2 disclosure', () => {
    for (const c of all) {
      const d = decide(c);
      expect(d.part2).toBe(c.labels !== 'none');
      expect(d.requiresRedisclosureNotice).toBe(d.part2 && d.decision === 'permit');
      if (d.decision === 'permit' && d.part2) expect(d.consentIds).toEqual(['c-m']);
    }
  });

  it('names the failed state of the candidate consent in every deny that a consent could cure', () => {
    for (const c of all) {
      if (c.state === 'none' || c.state === 'active') continue;
      const d = decide(c);
      if (d.decision === 'deny' && d.missing !== undefined) expect(d.reasons.map((r) => r.code)).toContain(STATE_CODES[c.state]);
    }
  });
});

describe('decision texts', () => {
  const arbitraryName = fc.stringMatching(/^[A-Z][a-z]{4,10} [A-Z][a-z]{4,10}$/);
  const arbitraryCase = fc.record({
    labels: fc.constantFrom(...(Object.keys(LABELS) as LabelSet[])),
    state: fc.constantFrom('active', 'expired', 'revoked', 'not-yet-effective'),
    kind: fc.constantFrom(...(Object.keys(KIND_PURPOSES) as Kind[])),
    scope: fc.constantFrom<Scope>('all', 'sud-only', 'other-type'),
    purpose: fc.constantFrom(...PURPOSES),
    recipient: fc.constantFrom(...(Object.keys(RECIPIENTS) as RecipientCase[])),
  });

  it('never contain a synthetic PHI value placed in consent recipient names', () => {
    fc.assert(
      fc.property(arbitraryCase, arbitraryName, arbitraryName, (c, recipientName, otherName) => {
        const named = buildConsent(c.state as Exclude<State, 'none'>, c.kind, c.scope, recipientName);
        const second = buildConsent('expired', 'part2-specific', 'all', otherName);
        const d = canDisclose({
          resource: { resourceType: 'Encounter', id: 'e-1', meta: { security: LABELS[c.labels] } },
          recipient: RECIPIENTS[c.recipient],
          purpose: c.purpose,
          at: AT,
          consents: [named, { ...second, id: 'c-2' }],
          participantId: 'p-1',
        });
        const texts = [...d.reasons.map((r) => r.message), d.decision === 'deny' ? new ConsentRequiredError(d).message : ''];
        for (const text of texts) {
          expect(text).not.toContain(recipientName);
          expect(text).not.toContain(otherName);
          expect(text).not.toContain(NAMED_NPI);
        }
      }),
      { numRuns: 300 },
    );
  });
});
