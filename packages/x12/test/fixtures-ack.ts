/**
 * 999 (005010X231A1) and 277CA (005010X214) fixtures written for this project from the TR3 segment definitions —
 * accepted, partially accepted and rejected — answering SENT, an 837 of two transaction sets. Synthetic ids only.
 */
import { write837P } from '../src/index.js';
import { input, options } from './fixtures.js';

/** ISA/GS .. GE/IEA around one transaction set (its ST..SE given), counts computed. */
function envelope(functionalId: string, version: string, body: readonly string[]): string {
  const isa = ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'GAMCD'.padEnd(15), 'ZZ', 'SUBMITTER01'.padEnd(15), '250116', '1200', '^', '00501', '000000077', '0', 'T', ':'].join('*');
  const st = body.map((s, i) => (s.startsWith('SE*') ? `SE*${i + 1}*0001` : s));
  return [isa, `GS*${functionalId}*GAMCD*SUBMITTER01*20250116*1200*77*X*${version}`, ...st, 'GE*1*77', 'IEA*1*000000077'].join('~\n') + '~\n';
}

/** The 837 the acknowledgments answer: two transaction sets (PCN1, PCN2 | PCN3). */
export const SENT = write837P([input({ pcn: 'PCN1' }), input({ pcn: 'PCN2' }), input({ pcn: 'PCN3' })], options({ maxClaimsPerTransaction: 2 }));

const ack999 = (ik5s: readonly string[][], ak9: string) =>
  envelope('FA', '005010X231A1', [
    'ST*999*0001*005010X231A1',
    'AK1*HC*17*005010X222A1',
    ...ik5s.flatMap((lines, i) => [`AK2*837*${String(i + 1).padStart(4, '0')}*005010X222A1`, ...lines]),
    ak9,
    'SE*0*0001',
  ]);

export const ACCEPTED_999 = ack999([['IK5*A'], ['IK5*A']], 'AK9*A*2*2*2');
// transaction 0002: NM1 (8th segment, loop 2010 — IK303 is the loop number, AN 1..4) element 9 (DE 67, member id) invalid code value (IK403 7)
export const PARTIAL_999 = ack999([['IK5*A'], ['IK3*NM1*8*2010*8', 'IK4*9*67*7', 'IK5*R*5']], 'AK9*P*2*2*1');
export const REJECTED_999 = ack999([['IK3*CLM*14*2300*8', 'IK4*1*1028*6', 'IK5*R*5'], ['IK5*R*5']], 'AK9*R*2*2*0');

const claimLoop = (hl: number, pcn: string, stc: string, icn?: string) => [
  `HL*${hl}*3*PT`,
  'NM1*QC*1*DOE*JANE****MI*MBR0001',
  `TRN*2*${pcn}`,
  stc,
  ...(icn ? [`REF*1K*${icn}`] : []),
  'DTP*472*D8*20250114',
];

const ack277 = (claims: string[][]) =>
  envelope('HN', '005010X214', [
    'ST*277*0001*005010X214',
    'BHT*0085*08*277X214*20250116*1200*TH',
    'HL*1**20*1',
    'NM1*PR*2*STATE MEDICAID*****PI*GAMCD',
    'TRN*1*0001',
    'DTP*050*D8*20250116',
    'DTP*009*D8*20250116',
    'HL*2*1*21*1',
    'NM1*41*2*EXAMPLE PEER AGENCY*****46*SUBMITTER01',
    'TRN*2*905',
    'STC*A1:19:PR*20250116*WQ*165',
    'QTY*90*3',
    'AMT*YU*165',
    'HL*3*2*19*1',
    'NM1*85*2*EXAMPLE PEER AGENCY*****XX*1234567893',
    'TRN*1*0',
    'STC*A1:19:PR**WQ*165', // 2200C billing provider status (after TRN, before REF; STC02 not used here)
    'REF*TJ*123456789',
    ...claims.flat(),
    'SE*0*0001',
  ]);

// STC01: category A2 accepted into adjudication / A7 rejected for invalid information, status 20 (accepted for
// processing) / 164 (entity's contract/member number), entity PR payer / IL subscriber; STC03 WQ accept, U reject.
export const ACCEPTED_277 = ack277([claimLoop(4, 'PCN1', 'STC*A2:20:PR*20250116*WQ*60', 'ICN9001'), claimLoop(5, 'PCN2', 'STC*A2:20:PR*20250116*WQ*60', 'ICN9002')]);
export const PARTIAL_277 = ack277([claimLoop(4, 'PCN1', 'STC*A2:20:PR*20250116*WQ*60', 'ICN9001'), claimLoop(5, 'pcn2', 'STC*A7:164:IL*20250116*U*60')]);
export const REJECTED_277 = ack277([claimLoop(4, 'PCN1', 'STC*A3:21*20250116*U*60'), claimLoop(5, 'PCN2', 'STC*A6:35:QC*20250116*U*60')]);


/**
 * A 277 claim status response (005010X212) answering a 276: 2000A payer, 2000B receiver, 2000C provider, 2000D
 * subscriber (HL 22, no DMG), then per claim 2200D TRN*2 (the 276 trace), STC, REF*1K, REF*EJ (CLM01), DTP*472 and
 * optionally a 2220D service line (SVC + its own STC, which is not the claim's status).
 */
export const status277 = (claims: readonly { trace: string; pcn: string; stc: string; icn?: string; line?: string }[]) =>
  envelope('HN', '005010X212', [
    'ST*277*0001*005010X212',
    'BHT*0010*08*277X212*20250401*1200*DG',
    'HL*1**20*1',
    'NM1*PR*2*STATE MEDICAID*****PI*GAMCD',
    'HL*2*1*21*1',
    'NM1*41*2*EXAMPLE PEER AGENCY*****46*AGENCY01',
    'HL*3*2*19*1',
    'NM1*1P*2*EXAMPLE PEER AGENCY*****XX*1234567893',
    'HL*4*3*22*0',
    'NM1*IL*1*DOE*JANE****MI*MBR0001',
    ...claims.flatMap((c) => [
      `TRN*2*${c.trace}`,
      c.stc,
      ...(c.icn ? [`REF*1K*${c.icn}`] : []),
      `REF*EJ*${c.pcn}`,
      'DTP*472*D8*20250114',
      ...(c.line ? ['SVC*HC:H0038*60*0**4', c.line, 'DTP*472*D8*20250114'] : []),
    ]),
    'SE*0*0001',
  ]);

// One claim per claim status category family (code list 507) with a status code (list 508): F1 paid (65 claim/line
// has been paid), F2 denied (88 claim/line denied... entity not eligible), P1 pending in process (20), R4 documentation
// requested (21 missing or invalid information), A7 rejected for invalid information (164), E0 response not possible (0).
export const CATEGORIES_277 = status277([
  { trace: 'claim-PCN1', pcn: 'PCN1', stc: 'STC*F1:65*20250401**60*60*20250401', icn: 'ICN1', line: 'STC*F1:65*20250401**60*60' },
  { trace: 'claim-PCN2', pcn: 'PCN2', stc: 'STC*F2:88*20250401**60*0*20250401', icn: 'ICN2', line: 'STC*F2:88*20250401**60*0' },
  { trace: 'claim-PCN3', pcn: 'PCN3', stc: 'STC*P1:20*20250401**60' },
  { trace: 'claim-PCN4', pcn: 'PCN4', stc: 'STC*R4:21*20250401**60' },
  { trace: 'claim-PCN5', pcn: 'PCN5', stc: 'STC*A7:164:IL*20250401**60' },
  { trace: 'claim-PCN6', pcn: 'PCN6', stc: 'STC*E0:0*20250401**60' },
]);
