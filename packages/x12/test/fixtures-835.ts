/**
 * Hand-written 835 005010X221A1 fixtures, one per shape the reader must keep to the cent. Written for this project
 * from the TR3's segment definitions and balancing rules (1.10.2.1) — not copied from any other project's files.
 * Amounts are chosen so every rule balances: SVC02 − SVC03 = line CAS, CLP03 − CLP04 = claim + line CAS,
 * BPR02 = ΣCLP04 − ΣPLB. Names and ids are synthetic.
 */
import type { Claim, ClaimItem } from 'fhir/r4.js';
import { HCPCS } from './fixtures.js';

/** A transaction set's segments between ST and SE (BPR first). */
export type Transaction = readonly string[];

export interface EnvelopeOptions {
  /** ISA12; 00501 for 5010. */
  readonly isaVersion?: string;
  /** GS08; 005010X221A1 for the 835. */
  readonly gsVersion?: string;
  readonly isaControl?: number;
}

/**
 * ISA/GS ... GE/IEA around transaction sets, with ST/SE and every count computed. The ISA is fixed width
 * (sender/receiver 15 characters), `*` elements, `^` repetition, `:` components, `~` segments.
 */
export function interchange(transactions: readonly Transaction[], o: EnvelopeOptions = {}): string {
  const isaControl = String(o.isaControl ?? 905).padStart(9, '0');
  const isa = [
    'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'STATEMEDICAID'.padEnd(15), 'ZZ', 'PEERAGENCY'.padEnd(15),
    '251231', '0930', '^', o.isaVersion ?? '00501', isaControl, '0', 'T', ':',
  ].join('*');
  if (isa.length !== 105) throw new Error(`ISA fixture is ${isa.length} characters`);
  const segs: string[] = [isa, `GS*HP*STATEMEDICAID*PEERAGENCY*20251231*0930*77*X*${o.gsVersion ?? '005010X221A1'}`];
  transactions.forEach((t, i) => {
    const st = String(i + 1).padStart(4, '0');
    segs.push(`ST*835*${st}`, ...t, `SE*${t.length + 2}*${st}`);
  });
  segs.push(`GE*${transactions.length}*77`, `IEA*1*${isaControl}`);
  return segs.join('~\n') + '~\n';
}

const header = (bpr: string, trace: string): string[] => [
  bpr,
  `TRN*1*${trace}*1999999999`,
  'DTM*405*20251231',
  'N1*PR*STATE MEDICAID',
  'N3*1 STATE PLAZA',
  'N4*ANYTOWN*GA*30303',
  'REF*2U*GAMCD',
  'PER*BL*EDI SUPPORT*TE*8005550100',
  'N1*PE*EXAMPLE PEER AGENCY*XX*1234567893',
  'REF*TJ*123456789',
];

/**
 * Claim-level CAS: two $525 lines paid in full, then a claim-level late-filing penalty (CARC B4) of $105 — the
 * claim pays $945 of $1,050, though its lines say $1,050.
 */
export const CLAIM_LEVEL_CAS = [
  'LX*1',
  'CLP*PC1001*1*1050*945**MC*ICN2001*11*1',
  'CAS*CO*B4*105', // 2100 CAS precedes NM1*QC
  'NM1*QC*1*DOE*JANE****MI*MBR0001',
  'SVC*HC:H0038*525*525**10',
  'DTM*472*20251106',
  'REF*6R*1',
  'SVC*HC:H0038*525*525**10',
  'DTM*472*20251113',
  'REF*6R*2',
];

/** A claim adjudicated without service lines: $1,350 paid of $1,500, $150 over the fee schedule (CO-45). */
export const CLAIM_WITHOUT_SVC = [
  'CLP*PC1002*1*1500*1350**MC*ICN2002*11*1',
  'CAS*CO*45*150',
  'NM1*QC*1*ROE*RICHARD****MI*MBR0002',
  'DTM*232*20251103',
  'DTM*233*20251128',
];

/** CLP02 4: denied, the patient is not recognised (CARC 31); nothing paid, no service lines. */
export const CLAIM_DENIED_NOT_RECOGNISED = [
  'CLP*PC1003*4*240*0**MC*ICN2003*11*1',
  'CAS*CO*31*240',
  'NM1*QC*1*POE*PAT****MI*MBR0003',
];

/**
 * A reversal (CLP02 22, the original ICN, negative amounts) and its correction (CLP02 1, a new ICN): $300 taken back,
 * $270 paid again — net −$30 on this payment.
 */
export const REVERSAL_AND_CORRECTION = [
  'CLP*PC1004*22*-300*-300**MC*ICN1500*11*1',
  'NM1*QC*1*LOE*LEE****MI*MBR0004',
  'SVC*HC:H0038*-300*-300**5',
  'DTM*472*20251020',
  'REF*6R*1',
  'CLP*PC1004*1*300*270**MC*ICN2004*11*1',
  'NM1*QC*1*LOE*LEE****MI*MBR0004',
  'SVC*HC:H0038*300*270**5',
  'DTM*472*20251020',
  'CAS*CO*45*30',
  'REF*6R*1',
];

/** PLB with several reasons (up to six pairs a segment): $75.50 overpayment recovery (WO), $12.34 interest (L6), $10 late charge (50). */
export const PLB_SEVERAL = ['PLB*1234567893*20251231*WO:ICN0999*75.5*L6*-12.34*50*10'];

/**
 * Payment 1 (EFT, ACH): claim-level CAS, claim without SVC, CLP02 4, reversal + correction, and PLB.
 * ΣCLP04 = 945 + 1350 + 0 − 300 + 270 = 2265; ΣPLB = 75.50 − 12.34 + 10 = 73.16; BPR02 = 2191.84.
 */
export const PAYMENT_1: Transaction = [
  ...header('BPR*I*2191.84*C*ACH*CCP*01*011000015*DA*0001234*1999999999**01*021000021*DA*0009876*20251231', 'EFT1001'),
  ...CLAIM_LEVEL_CAS,
  ...CLAIM_WITHOUT_SVC,
  ...CLAIM_DENIED_NOT_RECOGNISED,
  ...REVERSAL_AND_CORRECTION,
  ...PLB_SEVERAL,
];

/** Payment 2 (check): one line with a $30 co-payment (PR-3). BPR02 = 150. */
export const PAYMENT_2: Transaction = [
  ...header('BPR*I*150*C*CHK************20251231', 'CHK2002'),
  'LX*1',
  'CLP*PC1005*1*180*150*30*MC*ICN2005*11*1',
  'NM1*QC*1*MOE*MAX****MI*MBR0005',
  'SVC*HC:H0038:HQ*180*150**3',
  'DTM*472*20251201',
  'CAS*PR*3*30',
  'REF*6R*1',
  'AMT*B6*180',
];

/**
 * Payment 3 (notification only): a reversal of $120 with nothing to pay it from, carried forward with a negative PLB
 * FB (forward balance) so BPR02 = −120 − (−120) = 0.
 */
export const PAYMENT_3: Transaction = [
  ...header('BPR*H*0*C*NON************20251231', 'NON3003'),
  'LX*1',
  'CLP*PC1006*22*-120*-120**MC*ICN1600*11*1',
  'NM1*QC*1*KOE*KIM****MI*MBR0006',
  'PLB*1234567893*20251231*FB:ICN1600*-120',
];

/** All three payments in one ISA/GS: several ST..SE in one interchange. */
export const THREE_PAYMENTS = interchange([PAYMENT_1, PAYMENT_2, PAYMENT_3]);

/** A billed Claim as the billing package writes it: CLM01 in identifier, one Encounter and date per item. */
export function billedClaim(pcn: string, items: readonly { charge: number; date: string; encounter: string; code?: string }[]): Claim {
  const claimItems: ClaimItem[] = items.map((it, i) => ({
    sequence: i + 1,
    productOrService: { coding: [{ system: HCPCS, code: it.code ?? 'H0038' }] },
    servicedDate: it.date,
    net: { value: it.charge, currency: 'USD' },
    encounter: [{ identifier: { system: 'https://example.org/encounter', value: it.encounter } }],
  }));
  return {
    resourceType: 'Claim',
    id: `claim-${pcn.toLowerCase()}`,
    identifier: [{ system: 'https://example.org/pcn', value: pcn }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: 'Patient/pat1' },
    created: '2025-12-01',
    provider: { reference: 'Organization/agency' },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov1' } }],
    total: { value: items.reduce((s, it) => s + it.charge, 0), currency: 'USD' },
    item: claimItems,
  };
}

/** The Claims the three payments answer (PC1006's original is not in this set on purpose). */
export function billedClaims(): Claim[] {
  return [
    billedClaim('PC1001', [
      { charge: 525, date: '2025-11-06', encounter: 'enc-1001-a' },
      { charge: 525, date: '2025-11-13', encounter: 'enc-1001-b' },
    ]),
    billedClaim('PC1002', [
      { charge: 750, date: '2025-11-03', encounter: 'enc-1002-a' },
      { charge: 750, date: '2025-11-17', encounter: 'enc-1002-b' },
    ]),
    billedClaim('PC1003', [{ charge: 240, date: '2025-11-05', encounter: 'enc-1003' }]),
    billedClaim('PC1004', [{ charge: 300, date: '2025-10-20', encounter: 'enc-1004' }]),
    billedClaim('PC1005', [{ charge: 180, date: '2025-12-01', encounter: 'enc-1005' }]),
  ];
}
