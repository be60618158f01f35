/**
 * 271 fixtures written from the 005010X279A1 TR3 (loop and segment order, code lists), synthetic values only.
 * Each body is the segments between ST and SE; {@link interchange271} adds the envelope with correct counts.
 */
import { PHI } from './fixtures.js';

export const MEMBER = PHI.memberId;

/** Wrap ST..SE bodies in ISA/GS/GE/IEA; SE01 counts ST..SE inclusive. */
export function interchange271(...bodies: string[][]): string {
  const isa = 'ISA*00*          *00*          *ZZ*MEDICAID01     *ZZ*AGENCY01       *250302*1015*^*00501*000000901*0*T*:~';
  const out = [isa, 'GS*HB*MEDICAID01*AGENCY01*20250302*1015*901*X*005010X279A1~'];
  bodies.forEach((body, i) => {
    const st = String(i + 1).padStart(4, '0');
    out.push(`ST*271*${st}*005010X279A1~`, ...body.map((s) => `${s}~`), `SE*${body.length + 2}*${st}~`);
  });
  out.push(`GE*${bodies.length}*901~`, 'IEA*1*000000901~');
  return out.join('\n');
}

const header = ['BHT*0022*11*0000000420001*20250302*1015'];
const source = ['HL*1**20*1', 'NM1*PR*2*STATE MEDICAID*****PI*GAMCD'];
const receiver = ['HL*2*1*21*1', 'NM1*1P*2*EXAMPLE PEER AGENCY*****XX*1234567893'];
const subscriber = (trace = 'TRACE0001') => [
  'HL*3*2*22*0',
  `TRN*2*${trace}*1123456789`,
  'TRN*1*PAYERTRACE77*9MEDICAID01',
  `NM1*IL*1*${PHI.family}*${PHI.given}****MI*${MEMBER}`,
  'N3*1 ELM ST',
  'N4*ATLANTA*GA*30303',
  'DMG*D8*19800102*F',
];

/** Active Medicaid fee-for-service coverage for health benefit plan coverage and mental health. */
export const ACTIVE = [
  ...header, ...source, ...receiver, ...subscriber(),
  'REF*6P*GRP0001*MEDICAID ADULT',
  'DTP*346*D8*20250101',
  'DTP*347*D8*20251231',
  'EB*1*IND*30^MH*MC*MEDICAID FEE FOR SERVICE',
  'REF*18*PLAN-FFS-01',
  'EB*1*IND*MH*MC********Y*HC:H0038', // EB12 in plan network, EB13 HCPCS H0038
  'MSG*PEER SUPPORT COVERED',
];

/** Inactive: eligibility ended on 2025-02-28 (2100C DTP*357). */
export const INACTIVE = [
  ...header, ...source, ...receiver, ...subscriber(),
  'DTP*356*D8*20240101',
  'DTP*357*D8*20250228',
  'EB*6*IND*30',
];

/** Active Medicaid, managed by an MCO: EB*MC with the 2120C managed care organization (NM1*Y2). */
export const MCO = [
  ...header, ...source, ...receiver, ...subscriber(),
  'DTP*346*D8*20250101',
  'EB*1*IND*30*MC*MEDICAID',
  'EB*MC*IND*30^MH*HM*SUNRISE HEALTH PLAN',
  'DTP*292*RD8*20250201-20251231',
  'LS*2120',
  'NM1*Y2*2*SUNRISE HEALTH PLAN*****PI*SUNR1',
  'PER*IC**TE*8005550100',
  'LE*2120',
];

/** Other or additional payer (EB01 R) naming the primary payer (NM1*PRP). */
export const OTHER_PAYER = [
  ...header, ...source, ...receiver, ...subscriber(),
  'EB*1*IND*30*MC',
  'EB*R*IND*30*C1',
  'LS*2120',
  'NM1*PRP*2*ACME COMMERCIAL INSURANCE*****PI*ACME9',
  'LE*2120',
];

/** 2000A AAA: the payer cannot respond now; no lower loops (X279A1: 2000A AAA ends the answer). */
export const REJECT_2000A = [...header, 'HL*1**20*0', 'AAA*Y**42*R', 'NM1*PR*2*STATE MEDICAID*****PI*GAMCD'];

/** 2100A AAA: payer name or identifier missing. */
export const REJECT_2100A = [...header, 'HL*1**20*0', 'NM1*PR*2*STATE MEDICAID*****PI*GAMCD', 'AAA*N**T4*C'];

/** 2100B AAA: provider not on file. */
export const REJECT_2100B = [...header, ...source, 'HL*2*1*21*0', 'NM1*1P*2*EXAMPLE PEER AGENCY*****XX*1234567893', 'AAA*N**51*C'];

/** 2100C AAA: subscriber not found. */
export const REJECT_2100C = [
  ...header, ...source, ...receiver,
  'HL*3*2*22*0',
  'TRN*2*TRACE0001*1123456789',
  `NM1*IL*1*${PHI.family}*${PHI.given}****MI*${MEMBER}`,
  'AAA*N**75*C',
];

/** 2110C AAA: the mental health inquiry is inconsistent with the provider type. */
export const REJECT_2110C = [...header, ...source, ...receiver, ...subscriber(), 'EB*V**MH', 'AAA*N**53*C'];
