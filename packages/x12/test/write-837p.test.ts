import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import type { FormattedSegment } from 'x12-parser';
import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import { createControlNumberSource, write837P, write837PStream, type X12ClaimInput } from '../src/index.js';
import { claim, input, options, parseIndependently, patient, coverage, PHI } from './fixtures.js';

/** Group independently parsed segments by ST..SE transaction. */
function transactions(segs: FormattedSegment[]): FormattedSegment[][] {
  const out: FormattedSegment[][] = [];
  let cur: FormattedSegment[] | undefined;
  for (const s of segs) {
    if (s.name === 'ST') cur = [];
    if (cur) cur.push(s);
    if (s.name === 'SE') {
      out.push(cur!);
      cur = undefined;
    }
  }
  return out;
}

/** Split a transaction's segments into claims (CLM .. next CLM/HL/SE). */
function claimsOf(tx: FormattedSegment[]): FormattedSegment[][] {
  const out: FormattedSegment[][] = [];
  let cur: FormattedSegment[] | undefined;
  for (const s of tx) {
    if (s.name === 'CLM' || s.name === 'HL' || s.name === 'SE') {
      if (cur) out.push(cur);
      cur = s.name === 'CLM' ? [s] : undefined;
    } else if (cur) cur.push(s);
  }
  return out;
}

const cents = (v: string | undefined) => Math.round(Number(v) * 100);

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of gen) s += c;
  return s;
}

function manyClaims(n: number): X12ClaimInput[] {
  return Array.from({ length: n }, (_, i) => {
    const subscriberNo = Math.floor(i / 3); // three claims per subscriber, consecutive
    return input(
      {
        pcn: `PCN${String(i).padStart(5, '0')}`,
        lines: [
          { modifiers: ['HQ', 'U4'], units: 2, charge: 11.97 },
          { modifiers: ['HF'], units: 4, charge: 60, date: '2025-01-15' },
        ],
        dx: ['F11.20', 'F32.9'],
        part2: i % 2 === 0,
      },
      {
        subscriber: patient({ id: `p${subscriberNo}` }),
        coverage: coverage({ subscriberId: `MEMBER${subscriberNo}` }),
      },
    );
  });
}

describe('837P envelope and counts, checked with the independent x12-parser', () => {
  it('writes a 106-character ISA and matching control numbers and counts', async () => {
    const text = write837P(manyClaims(7), options({ maxClaimsPerTransaction: 3 }));
    expect(text.indexOf('~') + 1).toBe(106);
    expect(text.split('~')[0]).toHaveLength(105);
    const segs = await parseIndependently(text);
    const isa = segs[0]!;
    const gs = segs[1]!;
    const ge = segs.at(-2)!;
    const iea = segs.at(-1)!;
    expect(isa.name).toBe('ISA');
    expect(Number(isa['13'])).toBe(905);
    expect(Number(iea['2'])).toBe(905);
    expect(iea['1']).toBe('1');
    expect(gs['6']).toBe('17');
    expect(gs['8']).toBe('005010X222A1');
    expect(ge['2']).toBe('17');
    const txs = transactions(segs);
    expect(txs).toHaveLength(3); // 3 + 3 + 1 claims
    expect(Number(ge['1'])).toBe(txs.length);
    txs.forEach((tx, i) => {
      const st = tx[0]!;
      const se = tx.at(-1)!;
      expect(Number(se['1'])).toBe(tx.length);
      expect(se['2']).toBe(st['2']);
      expect(st['2']).toBe(String(i + 1).padStart(4, '0'));
      expect(st['3']).toBe('005010X222A1');
    });
  });

  it('takes control numbers from a ControlNumberSource', async () => {
    const source = createControlNumberSource({ isa: 42, gs: 7, st: 100 });
    const text = write837P([input()], options({ controlNumbers: source }));
    const segs = await parseIndependently(text);
    expect(Number(segs[0]!['13'])).toBe(42);
    expect(segs.find((s) => s.name === 'ST')!['2']).toBe('0100');
    expect(source.nextInterchange()).toBe(43);
  });

  it('nests claims under one billing-provider HL and consecutive claims of a subscriber under one 2000B', async () => {
    const segs = await parseIndependently(write837P(manyClaims(6), options()));
    const hls = segs.filter((s) => s.name === 'HL');
    expect(hls.filter((h) => h['3'] === '20')).toHaveLength(1);
    const subs = hls.filter((h) => h['3'] === '22');
    expect(subs).toHaveLength(2);
    subs.forEach((h) => expect(h['2']).toBe('1'));
    expect(hls.map((h) => h['1'])).toEqual(['1', '2', '3']);
  });
});

describe('837P claim content', () => {
  it('sets CLM02 to the sum of SV102 and writes units and modifiers as billed', async () => {
    const claims = manyClaims(4);
    const segs = await parseIndependently(write837P(claims, options()));
    const written = transactions(segs).flatMap(claimsOf);
    expect(written).toHaveLength(4);
    written.forEach((c, i) => {
      const sv1 = c.filter((s) => s.name === 'SV1');
      expect(cents(c[0]!['2'])).toBe(sv1.reduce((t, s) => t + cents(s['2']), 0));
      const items = claims[i]!.claim.item!;
      sv1.forEach((s, j) => {
        expect(s['1']).toBe('HC');
        expect(s['1-1']).toBe(items[j]!.productOrService.coding![0]!.code);
        const mods = [s['1-2'], s['1-3'], s['1-4'], s['1-5']].filter(Boolean);
        expect(mods).toEqual(items[j]!.modifier!.map((m) => m.coding![0]!.code));
        expect(Number(s['4'])).toBe(items[j]!.quantity!.value);
        expect(s['3']).toBe('UN');
      });
      expect(c[0]!['1']).toBe(claims[i]!.claim.identifier![0]!.value);
    });
  });

  it('formats money without trailing zeros', () => {
    const text = write837P([input({ lines: [{ charge: 11.5, units: 1 }, { charge: 60, units: 4 }] })], options());
    expect(text).toContain('CLM*PCN0001*71.5***53:B:1*Y*A*Y*Y~');
    expect(text).toContain('SV1*HC:H0038*11.5*UN*1***1~');
    expect(text).toContain('SV1*HC:H0038*60*UN*4***1~');
  });

  it('writes ICD-10-CM codes in HI without the dot, ABK first then ABF', async () => {
    const segs = await parseIndependently(write837P([input({ dx: ['F11.20', 'F32.9', 'F41.1'] })], options()));
    const hi = segs.find((s) => s.name === 'HI')!;
    // x12-parser: element n is its first component, `n-1` the second
    expect([1, 2, 3].map((n) => `${hi[String(n)]}:${hi[`${n}-1`]}`)).toEqual(['ABK:F1120', 'ABF:F329', 'ABF:F411']);
    expect(JSON.stringify(hi)).not.toContain('.');
  });

  it('writes CLM09 = Y for 42 CFR Part 2 claims, because Part 2 requires signed consent (TR3 note for Y)', async () => {
    const segs = await parseIndependently(write837P([input({ part2: true, pcn: 'P2' }), input({ pcn: 'NP' })], options()));
    const clms = segs.filter((s) => s.name === 'CLM');
    expect(clms.map((c) => [c['1'], c['9']])).toEqual([
      ['P2', 'Y'],
      ['NP', 'Y'],
    ]);
  });

  it('writes CLM09 = I on Part 2 claims only, when a payer companion guide asks for it', async () => {
    const segs = await parseIndependently(
      write837P([input({ part2: true, pcn: 'P2' }), input({ pcn: 'NP' })], options({ part2ReleaseOfInformationCode: 'I' })),
    );
    expect(segs.filter((s) => s.name === 'CLM').map((c) => c['9'])).toEqual(['I', 'Y']);
  });

  it('writes the full peer claim loop order from the domain example', () => {
    const text = write837P([input({ priorAuth: 'PA123456' })], options({ lineBreaks: true }));
    const ids = text.trim().split('~\n').map((s) => s.split('*')[0]);
    expect(ids).toEqual([
      'ISA', 'GS', 'ST', 'BHT', 'NM1', 'PER', 'NM1', 'HL', 'PRV', 'NM1', 'N3', 'N4', 'REF',
      'HL', 'SBR', 'NM1', 'N3', 'N4', 'DMG', 'NM1', 'CLM', 'REF', 'HI', 'NM1', 'PRV',
      'LX', 'SV1', 'DTP', 'REF', 'SE', 'GE', 'IEA',
    ].map((x) => x));
    expect(text).toContain('NM1*85*2*EXAMPLE PEER AGENCY*****XX*1234567893~');
    expect(text).toContain('N4*ATLANTA*GA*303030000~');
    expect(text).toContain('REF*EI*123456789~');
    expect(text).toContain('SBR*P*18*******MC~');
    expect(text).toContain('NM1*PR*2*STATE MEDICAID*****PI*GAMCD~');
    expect(text).toContain('REF*G1*PA123456~');
    expect(text).toContain('NM1*82*1*SMITH*ALEX****XX*1245319599~');
    expect(text).toContain('PRV*PE*PXC*175T00000X~');
    expect(text).toContain('SV1*HC:H0038:HF*60*UN*4***1~');
    expect(text).toContain('DTP*472*D8*20250114~');
    expect(text).toContain('REF*6R*1~');
    expect(text).toMatch(/SE\*28\*0001~/);
  });

  it('writes a replacement claim with frequency 7 and REF*F8, and a void with 8', () => {
    const text = write837P(
      [input({ pcn: 'R1', replaces: { icn: 'ICN777' } }), input({ pcn: 'V1', replaces: { icn: 'ICN888', frequency: '8' } })],
      options(),
    );
    expect(text).toContain('CLM*R1*60***53:B:7*Y*A*Y*Y~\nREF*F8*ICN777~');
    expect(text).toContain('CLM*V1*60***53:B:8*Y*A*Y*Y~\nREF*F8*ICN888~');
  });

  it('writes the supervising provider in 2310D with NM1*DQ', () => {
    const text = write837P([input({ supervisor: true })], options());
    expect(text).toContain('PRV*PE*PXC*175T00000X~\nNM1*DQ*1*JONES*ROBIN****XX*1679576722~\nLX*1~');
  });

  it('writes SV105 only for a line whose place of service differs from CLM05-1', () => {
    const text = write837P([input({ lines: [{ pos: '53' }, { pos: '10', charge: 15, units: 1 }] })], options());
    expect(text).toContain('SV1*HC:H0038*60*UN*4***1~');
    expect(text).toContain('SV1*HC:H0038*15*UN*1*10**1~');
  });

  it('removes delimiters from element content and uppercases names', () => {
    const text = write837P(
      [input({}, { subscriber: patient({ name: [{ family: "O'Brien*Smith~x\n", given: ['José:María\u00a0Ñ'] }] }) })],
      options(),
    );
    expect(text).toContain("NM1*IL*1*O'BRIEN SMITH X*JOSE MARIA N****MI*");
  });

  it('keeps every Claim fixture valid FHIR R4', () => {
    for (const c of [claim(), claim({ part2: true, supervisor: true, replaces: { icn: 'X1', frequency: '8' }, priorAuth: 'PA1' })]) {
      expect(validationProblems(c)).toEqual([]);
    }
  });

  it('holds CLM02 = sum(SV102) for any charges and units', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ charge: fc.integer({ min: 0, max: 999_999 }), units: fc.integer({ min: 1, max: 96 }) }), { minLength: 1, maxLength: 50 }),
        async (lines) => {
          const text = write837P([input({ lines: lines.map((l) => ({ charge: l.charge / 100, units: l.units })) })], options());
          const segs = await parseIndependently(text);
          const clm = segs.find((s) => s.name === 'CLM')!;
          const sv1 = segs.filter((s) => s.name === 'SV1');
          expect(sv1).toHaveLength(lines.length);
          expect(cents(clm['2'])).toBe(lines.reduce((t, l) => t + l.charge, 0));
          sv1.forEach((s, i) => expect(Number(s['4'])).toBe(lines[i]!.units));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('837P streaming', () => {
  it('produces exactly the same text as the non-streaming writer', async () => {
    const claims = manyClaims(25);
    const opts = options({ maxClaimsPerTransaction: 4 });
    const whole = write837P(claims, opts);
    async function* source() {
      for (const c of claims) yield c;
    }
    expect(await collect(write837PStream(source(), { ...opts, highWaterMark: 100 }))).toBe(whole);
    expect(await collect(write837PStream(claims, opts))).toBe(whole);
  });

  it('works as a stream.pipeline source into a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'x12-'));
    try {
      const path = join(dir, 'batch.837');
      const claims = manyClaims(10);
      await pipeline(write837PStream(claims, options()), createWriteStream(path));
      expect(await readFile(path, 'utf8')).toBe(write837P(claims, options()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('837P read back with node-x12 (a second, strict parser)', () => {
  it('parses strictly with no diagnostics and the query engine sees the same totals', async () => {
    const { X12Parser, X12QueryEngine } = await import('node-x12');
    const claims = manyClaims(5);
    const text = write837P(claims, options({ maxClaimsPerTransaction: 2 }));
    const parser = new X12Parser(true);
    const ic = parser.parse(text);
    expect(parser.diagnostics).toEqual([]);
    expect('functionalGroups' in ic && ic.functionalGroups[0]!.transactions).toHaveLength(3);
    const engine = new X12QueryEngine(false);
    const totals = engine.query(text, 'CLM02').map((r) => r.value);
    expect(totals).toEqual(['71.97', '71.97', '71.97', '71.97', '71.97']);
  });
});
