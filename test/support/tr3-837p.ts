/**
 * Situational rules of the 837P TR3 (ASC X12N 005010X222A1) checked over a whole file, read with the independent
 * `x12-parser` (no code shared with our writer). Each problem names the rule and the segment position, never a value.
 * Written from the guide's loop and segment notes; the section is cited at each rule.
 */
import { parseX12Independently, type FormattedSegment } from './x12-parser.js';

/** One segment as elements; an element is its components (a simple element has one). */
interface Seg {
  id: string;
  pos: number;
  el: (n: number, c?: number) => string;
  components: (n: number) => string[];
}

function toSeg(s: FormattedSegment, pos: number): Seg {
  const rec = s as unknown as Record<string, string | undefined>;
  // x12-parser keeps a composite's first component under 'n' and the following ones under 'n-1', 'n-2', ...
  const components = (n: number): string[] => {
    const out = [rec[String(n)] ?? ''];
    for (let c = 1; rec[`${n}-${c}`] !== undefined; c++) out.push(rec[`${n}-${c}`] as string);
    return out;
  };
  return { id: s.name, pos, components, el: (n, c = 1) => components(n)[c - 1] ?? '' };
}

const NPI_OK = (npi: string): boolean => {
  if (!/^\d{10}$/.test(npi)) return false;
  // NPI check digit: Luhn over the prefix 80840 + the first nine digits (CMS NPI standard)
  const digits = `80840${npi.slice(0, 9)}`.split('').map(Number);
  let sum = 0;
  digits.reverse().forEach((d, i) => {
    const x = i % 2 === 0 ? d * 2 : d;
    sum += x > 9 ? x - 9 : x;
  });
  return (10 - (sum % 10)) % 10 === Number(npi[9]);
};
const D8 = /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const SBR09_CODES = new Set('11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ'.split(' '));
const len = (v: string, min: number, max: number) => v.length >= min && v.length <= max;

type Check = (segs: readonly Seg[], problems: string[]) => void;

/** ISA/IEA, GS/GE, ST/SE control numbers and counts (X12.5 envelope; TR3 appendix B). */
const envelopes: Check = (segs, problems) => {
  const isa = segs.find((s) => s.id === 'ISA');
  const iea = segs.at(-1);
  if (!isa || iea?.id !== 'IEA') return void problems.push('envelope: the file must start with ISA and end with IEA');
  if (isa.el(13) !== iea.el(2)) problems.push(`IEA02 at ${iea.pos}: must equal ISA13`);
  if (Number(iea.el(1)) !== segs.filter((s) => s.id === 'GS').length) problems.push(`IEA01 at ${iea.pos}: must count the GS segments`);
  let gs: Seg | undefined;
  let st: Seg | undefined;
  let sts = 0;
  for (const s of segs) {
    if (s.id === 'GS') [gs, sts] = [s, 0];
    if (s.id === 'ST') [st, sts] = [s, sts + 1];
    if (s.id === 'SE' && st) {
      if (Number(s.el(1)) !== s.pos - st.pos + 1) problems.push(`SE01 at ${s.pos}: must count the segments ST..SE`);
      if (s.el(2) !== st.el(2)) problems.push(`SE02 at ${s.pos}: must equal ST02`);
      if (st.el(3) !== '005010X222A1') problems.push(`ST03 at ${st.pos}: must be 005010X222A1`);
      st = undefined;
    }
    if (s.id === 'GE' && gs) {
      if (Number(s.el(1)) !== sts) problems.push(`GE01 at ${s.pos}: must count the ST segments of the group`);
      if (s.el(2) !== gs.el(6)) problems.push(`GE02 at ${s.pos}: must equal GS06`);
    }
  }
};

/** HL: sequential ids, parents that exist earlier with the right level, HL04 = 1 exactly when a child follows (TR3 2000A-C). */
const hierarchy: Check = (segs, problems) => {
  for (const tx of transactions(segs)) {
    const hls = tx.filter((s) => s.id === 'HL');
    const level = new Map<string, string>();
    hls.forEach((h, i) => {
      if (h.el(1) !== String(i + 1)) problems.push(`HL01 at ${h.pos}: must be ${i + 1} (sequential within the transaction)`);
      const parent = h.el(2);
      const want = { '20': '', '22': '20', '23': '22' }[h.el(3)];
      if (want === undefined) problems.push(`HL03 at ${h.pos}: must be 20, 22 or 23`);
      else if (want === '' ? parent !== '' : level.get(parent) !== want) problems.push(`HL02 at ${h.pos}: parent must be an earlier HL of level ${want || '(none)'}`);
      const hasChild = hls.some((c) => c.el(2) === h.el(1));
      if (h.el(4) !== (hasChild ? '1' : '0')) problems.push(`HL04 at ${h.pos}: must be ${hasChild ? 1 : 0}`);
      level.set(h.el(1), h.el(3));
    });
  }
};

/** 1000A submitter (NM1*41 + PER*IC) and 1000B receiver (NM1*40). */
const headers: Check = (segs, problems) => {
  for (const tx of transactions(segs)) {
    const bht = tx.find((s) => s.id === 'BHT');
    if (!bht || bht.el(1) !== '0019' || !['00', '18'].includes(bht.el(2)) || !['CH', 'RP', '31'].includes(bht.el(6))) problems.push(`BHT at ${bht?.pos ?? '?'}: BHT01 0019, BHT02 00/18, BHT06 CH/RP/31`);
    const i41 = tx.findIndex((s) => s.id === 'NM1' && s.el(1) === '41');
    const n41 = tx[i41];
    if (!n41 || !['1', '2'].includes(n41.el(2)) || n41.el(8) !== '46' || !len(n41.el(9), 2, 80)) problems.push(`1000A NM1*41 at ${n41?.pos ?? '?'}: NM102 1/2, NM108 46, NM109 2-80`);
    const per = tx[i41 + 1];
    if (per?.id !== 'PER' || per.el(1) !== 'IC') problems.push(`1000A PER at ${per?.pos ?? '?'}: PER*IC must follow NM1*41`);
    else {
      if (per.el(3) === '') problems.push(`1000A PER03 at ${per.pos}: at least one communication number is required`);
      for (const q of [3, 5, 7]) {
        const kind = per.el(q);
        if (kind === '' && per.el(q + 1) === '') continue;
        if (!['TE', 'EM', 'FX', 'EX'].includes(kind)) problems.push(`1000A PER${String(q).padStart(2, '0')} at ${per.pos}: must be TE, EM, FX or EX`);
        if (kind === 'TE' && !/^\d{10}$/.test(per.el(q + 1))) problems.push(`1000A PER${String(q + 1).padStart(2, '0')} at ${per.pos}: a telephone is 10 digits`);
      }
    }
    const n40 = tx.find((s) => s.id === 'NM1' && s.el(1) === '40');
    if (!n40 || n40.el(2) !== '2' || n40.el(8) !== '46') problems.push(`1000B NM1*40 at ${n40?.pos ?? '?'}: NM102 2, NM108 46`);
  }
};

/** 2010AA billing provider: NM1*85 XX + valid NPI, N3, N4 with a 9-digit ZIP, REF*EI (TR3 2010AA notes). */
const billingProvider: Check = (segs, problems) => {
  segs.forEach((s, i) => {
    if (s.id !== 'NM1' || s.el(1) !== '85') return;
    if (!['1', '2'].includes(s.el(2)) || s.el(8) !== 'XX' || !NPI_OK(s.el(9))) problems.push(`2010AA NM1*85 at ${s.pos}: NM108 XX with a valid NPI`);
    if (segs[i + 1]?.id !== 'N3') problems.push(`2010AA N3 at ${s.pos + 1}: required`);
    const n4 = segs[i + 2];
    if (n4?.id !== 'N4' || !/^\d{9}$/.test(n4.el(3))) problems.push(`2010AA N403 at ${s.pos + 2}: required, 9 digits`);
    const block = segs.slice(i + 1, i + 6);
    if (!block.some((b) => b.id === 'REF' && b.el(1) === 'EI' && /^\d{9}$/.test(b.el(2)))) problems.push(`2010AA REF*EI after ${s.pos}: required, 9 digits`);
  });
};

/** 2000B/2010BA/2010BB: SBR, subscriber name, address when the subscriber is the patient, DMG, payer (TR3 2010BA notes). */
const subscriber: Check = (segs, problems) => {
  segs.forEach((s, i) => {
    if (s.id !== 'SBR') return;
    if (!['P', 'S', 'T', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'U'].includes(s.el(1))) problems.push(`SBR01 at ${s.pos}: payer responsibility code`);
    if (!SBR09_CODES.has(s.el(9))) problems.push(`SBR09 at ${s.pos}: claim filing indicator code list`);
    const hl = segs[i - 1];
    const self = s.el(2) === '18';
    if (self && hl?.el(4) !== '0') problems.push(`HL04 at ${hl?.pos ?? '?'}: no patient loop (2000C) when the subscriber is the patient (SBR02 18)`);
    const nm1 = segs[i + 1];
    if (nm1?.id !== 'NM1' || nm1.el(1) !== 'IL' || nm1.el(8) !== 'MI' || !len(nm1.el(9), 2, 80)) return void problems.push(`2010BA NM1*IL at ${s.pos + 1}: NM108 MI, NM109 2-80`);
    let j = i + 2;
    if (self) {
      // 2010BA N3/N4: required when the subscriber is the patient
      if (segs[j]?.id !== 'N3' || segs[j + 1]?.id !== 'N4') problems.push(`2010BA N3/N4 at ${s.pos + 2}: required when the subscriber is the patient`);
      else j += 2;
      const dmg = segs[j];
      if (dmg?.id !== 'DMG' || dmg.el(1) !== 'D8' || !D8.test(dmg.el(2)) || !['F', 'M', 'U'].includes(dmg.el(3))) problems.push(`2010BA DMG at ${s.pos + j - i}: required when the subscriber is the patient (D8 date, F/M/U)`);
    }
    const pr = segs.slice(i + 2, i + 7).find((x) => x.id === 'NM1' && x.el(1) === 'PR');
    if (!pr || pr.el(2) !== '2' || !['PI', 'XV'].includes(pr.el(8))) problems.push(`2010BB NM1*PR after ${s.pos}: NM102 2, NM108 PI/XV`);
  });
};

/** 2300 CLM, REF qualifiers, 2310B/2310D providers, 2400 lines; CLM02 = sum of SV102 (TR3 2300, 2400 notes). */
const claims: Check = (segs, problems) => {
  segs.forEach((s, i) => {
    if (s.id !== 'CLM') return;
    const end = segs.findIndex((x, k) => k > i && ['CLM', 'HL', 'SE'].includes(x.id));
    const loop = segs.slice(i + 1, end);
    if (!len(s.el(1), 1, 38)) problems.push(`CLM01 at ${s.pos}: 1-38 characters`);
    const [pos, qualifier, frequency] = s.components(5);
    if (!/^\d{2}$/.test(pos ?? '') || qualifier !== 'B' || !['1', '7', '8'].includes(frequency ?? '')) problems.push(`CLM05 at ${s.pos}: POS:B:frequency 1/7/8`);
    if (!['Y', 'N'].includes(s.el(6)) || !['A', 'B', 'C'].includes(s.el(7)) || !['Y', 'N', 'W'].includes(s.el(8)) || !['I', 'Y'].includes(s.el(9))) problems.push(`CLM06-09 at ${s.pos}: code lists`);
    const refs = loop.filter((x) => x.id === 'REF' && loop.indexOf(x) < loop.findIndex((y) => y.id === 'LX'));
    for (const r of refs) if (!['G1', 'F8', '9F', 'EA', 'D9', '4N', 'X4', 'P4', '1J'].includes(r.el(1))) problems.push(`2300 REF01 at ${r.pos}: not a 2300 REF qualifier`);
    // 2300 REF*F8: required when CLM05-3 is 7 (replacement) or 8 (void)
    if (['7', '8'].includes(frequency ?? '') && !refs.some((r) => r.el(1) === 'F8')) problems.push(`2300 REF*F8 after ${s.pos}: required for frequency ${frequency}`);
    const hi = loop.find((x) => x.id === 'HI');
    if (!hi || !['ABK', 'BK'].includes(hi.el(1, 1))) problems.push(`2300 HI after ${s.pos}: principal diagnosis ABK required`);
    // 2300 REF*F8: "if not required by this implementation guide, do not send" — not on an original (frequency 1)
    if (frequency === '1' && refs.some((r) => r.el(1) === 'F8')) problems.push(`2300 REF*F8 after ${s.pos}: not sent for frequency 1`);
    const r82 = loop.find((x) => x.id === 'NM1' && x.el(1) === '82');
    if (r82 && (!['1', '2'].includes(r82.el(2)) || r82.el(8) !== 'XX' || !NPI_OK(r82.el(9)))) problems.push(`2310B NM1*82 at ${r82.pos}: NM108 XX with a valid NPI`);
    const firstLx = loop.findIndex((x) => x.id === 'LX');
    const dq = loop.find((x, k) => x.id === 'NM1' && x.el(1) === 'DQ' && (firstLx < 0 || k < firstLx));
    if (dq && (dq.el(2) !== '1' || dq.el(8) !== 'XX' || !NPI_OK(dq.el(9)) || dq.el(9) === r82?.el(9))) problems.push(`2310D NM1*DQ at ${dq.pos}: a person, XX, valid NPI, not the rendering provider`);
    claimProviders(loop, firstLx, problems);
    let lx = 0;
    let cents = 0;
    for (const x of loop) {
      if (x.id === 'LX' && x.el(1) !== String(++lx)) problems.push(`LX01 at ${x.pos}: must be ${lx}`);
      if (x.id !== 'SV1') continue;
      if (x.el(1, 1) !== 'HC' || !/^[A-Z0-9]{5}$/.test(x.el(1, 2))) problems.push(`SV101 at ${x.pos}: HC and a 5-character procedure code`);
      if (!/^\d+(\.\d{1,2})?$/.test(x.el(2))) problems.push(`SV102 at ${x.pos}: an amount`);
      if (!['UN', 'MJ'].includes(x.el(3)) || !(Number(x.el(4)) > 0)) problems.push(`SV103/SV104 at ${x.pos}: UN/MJ and a positive quantity`);
      cents += Math.round(Number(x.el(2)) * 100);
    }
    if (lx === 0 || lx > 50) problems.push(`2400 after ${s.pos}: 1-50 service lines`);
    if (Math.round(Number(s.el(2)) * 100) !== cents) problems.push(`CLM02 at ${s.pos}: must equal the sum of SV102`);
  });
};

const TAXONOMY = /^[0-9]{3}[0-9A-Z]{6}X$/;

/**
 * PRV and the supervising provider inside one claim (TR3 2310B, 2310D, 2420A, 2420D): a PRV exists only in 2310B /
 * 2420A, right after that loop's rendering NM1*82, as PRV*PE*PXC*<10-character NUCC taxonomy> (2310D and 2420D have
 * no PRV segment); a 2420D NM1*DQ is a person (NM102 1) identified by NPI (NM108 XX).
 */
function claimProviders(loop: readonly Seg[], firstLx: number, problems: string[]): void {
  loop.forEach((x, k) => {
    const where = firstLx < 0 || k < firstLx ? '2310B' : '2420A';
    if (x.id === 'PRV') {
      const prev = loop[k - 1];
      if (prev?.id !== 'NM1' || prev.el(1) !== '82') problems.push(`${where} PRV at ${x.pos}: only right after the rendering provider's NM1*82`);
      if (x.el(1) !== 'PE' || x.el(2) !== 'PXC' || !TAXONOMY.test(x.el(3))) problems.push(`${where} PRV at ${x.pos}: PRV01 PE, PRV02 PXC, PRV03 a NUCC taxonomy`);
    }
    if (x.id === 'NM1' && x.el(1) === 'DQ' && firstLx >= 0 && k > firstLx && (x.el(2) !== '1' || x.el(8) !== 'XX' || !NPI_OK(x.el(9)))) {
      problems.push(`2420D NM1*DQ at ${x.pos}: a person, XX, valid NPI`);
    }
  });
}

/** 2000A PRV*BI: billing provider specialty, PXC + a NUCC taxonomy (TR3 2000A PRV, situational). */
const billingSpecialty: Check = (segs, problems) => {
  segs.forEach((s, i) => {
    if (s.id !== 'PRV' || segs[i - 1]?.id !== 'HL') return;
    if (segs[i - 1]?.el(3) !== '20' || s.el(1) !== 'BI' || s.el(2) !== 'PXC' || !TAXONOMY.test(s.el(3))) problems.push(`2000A PRV at ${s.pos}: PRV*BI*PXC*<NUCC taxonomy> after HL level 20`);
  });
};

/** Name and address element lengths (TR3 element attributes). */
const lengths: Check = (segs, problems) => {
  for (const s of segs) {
    if (s.id === 'NM1' && (!len(s.el(3), 1, 60) || s.el(4).length > 35)) problems.push(`NM103/NM104 at ${s.pos}: 1-60 / ≤ 35 characters`);
    if (s.id === 'N3' && !len(s.el(1), 1, 55)) problems.push(`N301 at ${s.pos}: 1-55 characters`);
    if (s.id === 'N4' && (!len(s.el(1), 2, 30) || !/^[A-Z]{2}$/.test(s.el(2)) || !len(s.el(3), 3, 15))) problems.push(`N4 at ${s.pos}: city 2-30, state 2 letters, ZIP 3-15`);
    if (s.id === 'DTP' && s.el(1) === '472' && !(s.el(2) === 'D8' ? D8.test(s.el(3)) : s.el(2) === 'RD8' && s.el(3).split('-').every((d) => D8.test(d)))) problems.push(`DTP*472 at ${s.pos}: D8 or RD8 dates`);
  }
};

function transactions(segs: readonly Seg[]): Seg[][] {
  const out: Seg[][] = [];
  let cur: Seg[] | undefined;
  for (const s of segs) {
    if (s.id === 'ST') cur = [];
    cur?.push(s);
    if (s.id === 'SE' && cur) [out[out.length], cur] = [cur, undefined];
  }
  return out;
}

const CHECKS: readonly Check[] = [envelopes, hierarchy, headers, billingProvider, billingSpecialty, subscriber, claims, lengths];

/** Every TR3 situational-rule problem of an 837P file (none for a clean file). */
export async function tr3Problems837P(text: string): Promise<string[]> {
  const segs = (await parseX12Independently(text)).map((s, i) => toSeg(s, i + 1));
  const problems: string[] = [];
  for (const check of CHECKS) check(segs, problems);
  return problems;
}
