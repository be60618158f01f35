// Acceptance 1 of issue 14: every 837P the project can produce passes the TR3 (005010X222A1) situational rules
// (test/support/tr3-837p.ts, read with the independent x12-parser) and node-x12's strict parser. The rule checker is
// itself checked: each rule finds a file broken the way the rule forbids.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPack, loadPack } from '@peer-fhir/billing';
import { PEER_SPECIALIST_TAXONOMY } from '@peer-fhir/core';
import { packFile, producible837Ps, SUPERVISOR_TAXONOMY, type Produced837P } from '../support/producible-837p.js';
import { tr3Problems837P } from '../support/tr3-837p.js';

let files: Produced837P[] = [];
beforeAll(async () => {
  files = await producible837Ps();
}, 120_000);

describe('every producible 837P follows the TR3 situational rules', () => {
  it('covers every seed pack, each with claims', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) expect((f.text.match(/~\s*CLM\*/g) ?? []).length, f.name).toBeGreaterThan(0);
  });

  const file = (name: RegExp) => files.find((f) => name.test(f.name))?.text ?? '';
  const segments = (text: string) => text.split(/~\n?/).filter(Boolean);
  /** Each claim's segments, CLM to the next CLM / HL / SE. */
  const claimsOf = (text: string) => {
    const segs = segments(text);
    return segs.flatMap((x, i) => {
      if (!x.startsWith('CLM*')) return [];
      const end = segs.findIndex((y, k) => k > i && /^(CLM|HL|SE)\*/.test(y));
      return [segs.slice(i, end)];
    });
  };

  it("covers the demo's 837P and the examples' (billing-run, remittance)", () => {
    expect(claimsOf(file(/^demo$/)).length).toBeGreaterThan(0);
    expect(claimsOf(file(/^example billing-run/)).length).toBeGreaterThan(0);
  });

  it('covers a replacement (CLM05-3 7) and a void (8) written by peer-fhir bill, each with REF*F8', () => {
    const corrections = claimsOf(file(/^corrections/));
    const frequency = (c: string[]) => c[0]!.split('*')[5]!.split(':')[2];
    expect(corrections.map(frequency).sort()).toEqual(['7', '8']);
    for (const c of corrections) expect(c.some((x) => x.startsWith('REF*F8*'))).toBe(true);
  });

  it('covers an incident-to claim: the supervisor renders (2310B) with its taxonomy in PRV*PE, and no 2310D', () => {
    const incidentTo = claimsOf(file(/medicare-pin-ps/));
    expect(incidentTo.length).toBeGreaterThan(0);
    for (const c of incidentTo) {
      const at = c.findIndex((x) => x.startsWith('NM1*82*'));
      expect(c[at + 1]).toBe(`PRV*PE*PXC*${SUPERVISOR_TAXONOMY}`);
      expect(c.some((x) => x.startsWith('NM1*DQ*'))).toBe(false);
    }
  });

  it('covers claims naming a supervising provider (2310D NM1*DQ)', () => {
    expect(files.some((f) => claimsOf(f.text).some((c) => c.some((x) => x.startsWith('NM1*DQ*1*'))))).toBe(true);
  });

  it('has no TR3 problem in any file', async () => {
    const problems: Record<string, string[]> = {};
    for (const f of files) {
      const p = await tr3Problems837P(f.text);
      if (p.length) problems[f.name] = p.slice(0, 10);
    }
    expect(problems).toEqual({});
  });

  it('parses strictly with node-x12 (no diagnostics) and node-x12 sees every claim', async () => {
    const { X12Parser } = await import('node-x12');
    for (const f of files) {
      const parser = new X12Parser(true);
      parser.parse(f.text);
      expect(parser.diagnostics, f.name).toEqual([]);
    }
  });
});

describe('the rule checker finds each broken rule', () => {
  const base = () => files[0]!.text;
  const segs = (t: string) => t.split(/~\n?/).filter(Boolean);
  const join = (s: string[]) => `${s.join('~\n')}~\n`;
  const mutate = (fn: (s: string[]) => string[]) => join(fn(segs(base())));
  const cases: [string, () => string, RegExp][] = [
    ['2010BA N3/N4 missing for a subscriber who is the patient', () => mutate((s) => s.filter((x, i) => !(s[i - 1]?.startsWith('NM1*IL') && x.startsWith('N3')) && !(s[i - 2]?.startsWith('NM1*IL') && x.startsWith('N4')))), /2010BA N3\/N4/],
    ['SE01 off by one', () => mutate((s) => s.map((x) => (x.startsWith('SE*') ? x.replace(/^SE\*(\d+)/, (_m, n: string) => `SE*${Number(n) + 1}`) : x))), /SE01/],
    ['HL04 says a child follows when none does', () => mutate((s) => s.map((x) => (/^HL\*\d+\*\d+\*22\*0$/.test(x) ? x.replace(/\*0$/, '*1') : x))), /HL04/],
    ['PER without a communication number', () => mutate((s) => s.map((x) => (x.startsWith('PER*IC') ? 'PER*IC*BILLING OFFICE' : x))), /PER03/],
    ['SBR09 not in the code list', () => mutate((s) => s.map((x) => (x.startsWith('SBR*') ? x.replace(/\*[A-Z0-9]{2}$/, '*QQ') : x))), /SBR09/],
    ['frequency 7 without REF*F8', () => mutate((s) => s.map((x) => (x.startsWith('CLM*') ? x.replace(/:B:1\*/, ':B:7*') : x))), /REF\*F8/],
    ['CLM02 not the sum of the lines', () => mutate((s) => s.map((x) => (x.startsWith('CLM*') ? x.replace(/^(CLM\*[^*]+\*)[^*]+/, '$1999999.99') : x))), /CLM02/],
    ['2310D naming the rendering provider', () => mutate((s) => s.map((x, i) => (x.startsWith('NM1*DQ*') ? x.replace(/\*XX\*\d+$/, `*XX*${s.slice(0, i).reverse().find((y) => y.startsWith('NM1*82*'))!.split('*').at(-1)!}`) : x))), /2310D/],
    ['CLM05-3 not a frequency code (1, 7, 8)', () => mutate((s) => s.map((x) => (x.startsWith('CLM*') ? x.replace(/:B:1\*/, ':B:5*') : x))), /CLM05/],
    ['REF*F8 on an original claim (frequency 1)', () => mutate((s) => s.flatMap((x) => (x.startsWith('CLM*') && x.includes(':B:1*') ? [x, 'REF*F8*ICN1'] : [x]))), /REF\*F8.*frequency 1/],
    ['2310B PRV with a qualifier other than PE/PXC', () => mutate((s) => s.map((x) => (x.startsWith('PRV*PE*') ? x.replace('PRV*PE*PXC', 'PRV*PE*ZZ') : x))), /2310B PRV.*PRV01 PE/],
    ['a PRV after the supervising provider (2310D has no PRV)', () => mutate((s) => s.flatMap((x) => (x.startsWith('NM1*DQ*') ? [x, 'PRV*PE*PXC*1041C0700X'] : [x]))), /2310B PRV.*only right after/],
    ['2420D NM1*DQ that is not a person with an NPI', () => mutate((s) => s.flatMap((x) => (x.startsWith('SV1*') ? [x, 'NM1*DQ*2*CLINIC*****PI*X1'] : [x]))), /2420D NM1\*DQ/],
    ['2000A PRV*BI without a NUCC taxonomy', () => mutate((s) => s.map((x) => (x.startsWith('PRV*BI*') ? 'PRV*BI*PXC*251S0000' : x))), /2000A PRV/],
  ];
  it.each(cases)('%s', async (_name, make, expected) => {
    const problems = await tr3Problems837P(make());
    expect(problems.some((p) => expected.test(p)), JSON.stringify(problems)).toBe(true);
  });
});

// The class behind the incident-to PRV: whoever renders, 2310B carries that provider's taxonomy when it is known and
// no PRV otherwise (never the peer's taxonomy on a supervisor), and the file stays TR3-clean — for every billing-roles
// combination a pack may state and any set of known supervisor taxonomies.
describe('billing roles x known taxonomies (property)', () => {
  const RUNS = process.env.PEER_FHIR_LONG === '1' ? 500 : 30;
  const source = { url: 'https://example.org/payer-manual', title: 'Payer manual', confirmed: false };
  const roles = fc.constantFrom(
    { rendering: 'peer', supervising: 'supervisor' },
    { rendering: 'peer', supervising: 'none' },
    { rendering: 'supervisor', supervising: 'none' },
  );
  const TAXONOMIES = ['1041C0700X', '101YP2500X', '2084P0800X', '363LP0808X'];

  it('writes 2310B PRV*PE with the rendering provider\'s known taxonomy, none when unknown, and no TR3 problem', async () => {
    const tx = getPack('tx-medicaid-peer-specialist-2019');
    let withClaims = 0;
    await fc.assert(
      fc.asyncProperty(roles, fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.option(fc.constantFrom(...TAXONOMIES), { nil: undefined }), { minLength: 1, maxLength: 4 }), async (r, seed, picks) => {
        const pack = loadPack({ ...tx, id: 'roles-property', billingRoles: { ...r, claimFilingIndicator: 'MC', source } });
        const known = new Map<string, string | undefined>();
        const taxonomyOf = (npi: string) => {
          if (!known.has(npi)) known.set(npi, picks[known.size % picks.length]);
          return known.get(npi);
        };
        const { text } = packFile(pack, seed, { participants: 4, months: 1, supervisorTaxonomy: taxonomyOf });
        if (!/~\s*CLM\*/.test(text)) return;
        withClaims++;
        expect(await tr3Problems837P(text)).toEqual([]);
        const segs = text.split(/~\n?/).filter(Boolean);
        segs.forEach((x, i) => {
          if (!x.startsWith('NM1*82*')) return;
          const npi = x.split('*').at(-1)!;
          const want = r.rendering === 'peer' ? PEER_SPECIALIST_TAXONOMY.code : known.get(npi);
          if (want) expect(segs[i + 1]).toBe(`PRV*PE*PXC*${want}`);
          else expect(segs[i + 1]?.startsWith('PRV*')).toBe(false);
        });
      }),
      { numRuns: RUNS, seed: Number(process.env['PEER_FHIR_SEED'] ?? 14) },
    );
    expect(withClaims).toBeGreaterThan(RUNS / 2);
  }, 120_000);
});
