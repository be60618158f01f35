/** Billing roles and SBR09 per pack (837P 2010AA billing, 2310B rendering, 2310D supervising; SBR09 code list 1032). */
import { describe, expect, it } from 'vitest';
import { billingRolesOf, buildClaims, evaluate, getPack, listPacks, loadPack, RulePackError } from '../src/index.js';
import { context, encounter, npi, PEER_NPI, specialist, SUPERVISOR_NPI } from './support/factories.js';

const TX = getPack('tx-medicaid-peer-specialist-2019');
const source = { url: 'https://example.org/manual', title: 'Payer manual', confirmed: false };
const problems = (json: unknown) => {
  try {
    loadPack(json);
    return [];
  } catch (e) {
    if (e instanceof RulePackError) return e.issues.map((i) => i.path);
    throw e;
  }
};

describe('billing roles in the packs', () => {
  it('every seed pack states its rule with a source, and marks it unconfirmed where the state rule was not verified', () => {
    for (const pack of listPacks()) {
      expect(pack.billingRoles, pack.id).toBeDefined();
      expect(pack.billingRoles?.billing).toBe('agency');
      if (pack.billingRoles?.source.confirmed === false) expect(pack.billingRoles.source.note, pack.id).toMatch(/\[unconfirmed\]/);
    }
  });

  it('Medicare PIN-PS is billed incident-to: the supervising practitioner renders, SBR09 MB (Medicare Part B)', () => {
    expect(billingRolesOf(getPack('medicare-pin-ps-2024'))).toMatchObject({ rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MB' });
  });

  it('Medicaid packs name the peer as rendering provider and SBR09 MC (Medicaid)', () => {
    for (const pack of listPacks().filter((p) => p.payer.kind !== 'medicare')) {
      expect(billingRolesOf(pack), pack.id).toMatchObject({ rendering: 'peer', claimFilingIndicator: 'MC' });
    }
  });

  it('a pack without the rule gets the peer as renderer and SBR09 by payer kind', () => {
    const { billingRoles: _r, ...bare } = TX;
    expect(billingRolesOf(loadPack(bare))).toEqual({ billing: 'agency', rendering: 'peer', supervising: 'supervisor', claimFilingIndicator: 'MC' });
  });

  it('refuses a supervisor who renders without required supervision, or who is also named supervising, and unknown SBR09 codes', () => {
    const { supervision: _s, ...unsupervised } = TX;
    expect(problems({ ...unsupervised, billingRoles: { rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MC', source } })).toEqual(['billingRoles.rendering']);
    expect(problems({ ...TX, billingRoles: { rendering: 'supervisor', supervising: 'supervisor', claimFilingIndicator: 'MC', source } })).toEqual(['billingRoles.supervising']);
    expect(problems({ ...TX, billingRoles: { rendering: 'peer', supervising: 'none', claimFilingIndicator: 'MC~NM1', source } })).toEqual(['billingRoles.claimFilingIndicator']);
  });
});

describe('the Claim care team follows the roles', () => {
  const team = (billingRoles: object) => {
    const pack = loadPack({ ...TX, billingRoles: { ...billingRoles, source } });
    const [claim] = buildClaims(evaluate(context(pack, { encounters: context(TX).encounters.map((e) => ({ ...e, program: 'mental-health' as const, supervisorNpi: SUPERVISOR_NPI })) })).lines, { pack, created: '2025-02-01' });
    return claim!.careTeam!.map((m) => [m.role?.coding?.[0]?.code, m.provider.identifier?.value?.includes(SUPERVISOR_NPI) ? 'supervisor' : m.provider.identifier?.value?.includes(PEER_NPI) ? 'peer' : '?']);
  };

  it('peer renders, supervisor supervises', () => {
    expect(team({ rendering: 'peer', supervising: 'supervisor', claimFilingIndicator: 'MC' })).toEqual([['primary', 'peer'], ['supervisor', 'supervisor']]);
  });
  it('peer renders, no supervising provider', () => {
    expect(team({ rendering: 'peer', supervising: 'none', claimFilingIndicator: 'MC' })).toEqual([['primary', 'peer']]);
  });
  it('supervisor renders, the peer assists', () => {
    expect(team({ rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MB' })).toEqual([['primary', 'supervisor'], ['assist', 'peer']]);
  });
});

describe("a supervisor's taxonomy (837P 2310B PRV*PE when the supervisor renders)", () => {
  const claimUnder = (billingRoles: object, supervisorTaxonomies?: Record<string, string>) => {
    const pack = loadPack({ ...TX, billingRoles: { ...billingRoles, source } });
    const lines = evaluate(context(pack, { encounters: context(TX).encounters.map((e) => ({ ...e, program: 'mental-health' as const, supervisorNpi: SUPERVISOR_NPI })) })).lines;
    return buildClaims(lines, { pack, created: '2025-02-01', supervisorTaxonomies })[0]!;
  };
  const supervisorMember = (c: ReturnType<typeof claimUnder>) => c.careTeam!.find((m) => m.provider.identifier?.value?.includes(SUPERVISOR_NPI));

  it('is the qualification of the rendering supervisor (incident-to) when the caller knows it', () => {
    const claim = claimUnder({ rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MB' }, { [SUPERVISOR_NPI]: '1041C0700X' });
    expect(supervisorMember(claim)).toMatchObject({ role: { coding: [{ code: 'primary' }] }, qualification: { coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '1041C0700X' }] } });
  });
  it('is left out when unknown (no guessed taxonomy)', () => {
    const claim = claimUnder({ rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MB' });
    expect(supervisorMember(claim)?.qualification).toBeUndefined();
  });
});

describe('claims and the providers they name', () => {
  it('splits one participant-month into one claim per rendering peer (2310B holds for every line of a claim)', () => {
    const other = npi('987654321');
    const encounters = [encounter({ date: '2025-01-10', program: 'mental-health' }), encounter({ date: '2025-01-20', program: 'mental-health', specialistNpi: other })];
    const ctx = context(TX, { encounters, specialists: [specialist(), specialist({ npi: other, name: { family: 'Other', given: ['Peer'] } })] });
    const claims = buildClaims(evaluate(ctx).lines, { pack: TX, created: '2025-02-01' });
    expect(claims).toHaveLength(2);
    for (const c of claims) expect(c.careTeam!.filter((m) => m.role?.coding?.[0]?.code === 'primary')).toHaveLength(1);
    expect(new Set(claims.map((c) => c.identifier![0]!.value)).size).toBe(2);
  });
});
