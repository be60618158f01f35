/**
 * Typed view of an X12 835 005010X221A1 remittance. Amounts are dollars as JS numbers (2 decimals).
 */

/** One CAS adjustment: group (CO/PR/OA/PI), CARC, amount, optional quantity. @category 835 */
export interface Adjustment {
  readonly group: string;
  readonly reason: string;
  readonly amount: number;
  readonly quantity?: number;
}

/** 2110 service line (SVC and what follows it). @category 835 */
export interface RemittanceLine {
  /** SVC01-1 qualifier, e.g. `HC`. */
  readonly procedureQualifier: string;
  /** SVC01-2 procedure code. */
  readonly procedure: string;
  /** SVC01-3..6 modifiers. */
  readonly modifiers: readonly string[];
  /** SVC02 line charge. */
  readonly chargeAmount: number;
  /** SVC03 line paid. */
  readonly paidAmount: number;
  /** SVC05 units paid (default 1 when absent per the standard). */
  readonly unitsPaid?: number;
  /** SVC07 original units, when the payer changed them. */
  readonly originalUnits?: number;
  /** DTM*472 (or 150/151) service date, `YYYY-MM-DD`. */
  readonly serviceDate?: string;
  readonly serviceDateEnd?: string;
  /** CAS segments on the line. */
  readonly adjustments: readonly Adjustment[];
  /** REF*6R line item control number (echo of 837 2400 REF*6R). */
  readonly lineControlNumber?: string;
  /** AMT*B6 allowed amount. */
  readonly allowedAmount?: number;
  /** LQ*HE remark codes (RARC). */
  readonly remarks: readonly string[];
}

/** 2100 claim payment (CLP and its children). @category 835 */
export interface RemittanceClaim {
  /** CLP01 — the 837 CLM01 patient control number. */
  readonly patientControlNumber: string;
  /** CLP02 claim status code. */
  readonly status: string;
  /** CLP03 total charge. */
  readonly chargeAmount: number;
  /** CLP04 paid. */
  readonly paidAmount: number;
  /** CLP05 patient responsibility. */
  readonly patientResponsibility: number;
  /** CLP06 claim filing indicator. */
  readonly filingIndicator: string;
  /** CLP07 payer claim control number (ICN) — use it in REF*F8 for replacements/voids. */
  readonly payerClaimControlNumber?: string;
  /** CLP08 facility / place of service. */
  readonly facilityCode?: string;
  /** CLP09 claim frequency. */
  readonly frequency?: string;
  /** NM1*QC patient (PHI — keep out of logs). */
  readonly patient?: { readonly lastName?: string; readonly firstName?: string; readonly memberId?: string };
  /** 2100 DTM*232 / DTM*233 claim statement period, `YYYY-MM-DD`. */
  readonly statementFrom?: string;
  readonly statementTo?: string;
  /** Claim-level CAS (they count against CLP03 − CLP04 like line-level CAS). */
  readonly adjustments: readonly Adjustment[];
  /** 2110 service lines; empty when the payer adjudicated the claim as a whole. */
  readonly lines: readonly RemittanceLine[];
}

/**
 * One PLB provider-level adjustment (one reason/amount pair). A positive amount was withheld from the payment
 * (e.g. `WO` overpayment recovery, `FB` forward balance), a negative one added to it (e.g. `L6` interest).
 *
 * Spec: 005010X221A1 PLB; BPR02 = ΣCLP04 − ΣPLB amounts.
 * @category 835
 */
export interface ProviderAdjustment {
  /** PLB01 provider identifier (NPI or TIN). */
  readonly providerId: string;
  /** PLB02 fiscal period date, `YYYY-MM-DD`. */
  readonly fiscalPeriodDate?: string;
  /** PLB03-1 (05-1, ...) adjustment reason code, e.g. `WO`, `L6`, `FB`, `50`. */
  readonly reason: string;
  /** PLB03-2 reference identifier (often the payer claim control number being recovered). */
  readonly reference?: string;
  /** PLB04 (06, ...) amount in dollars. */
  readonly amount: number;
}

/** 835 header: BPR payment, TRN trace, payer and payee. @category 835 */
export interface RemittanceHeader {
  /** ST02. */
  readonly transactionControlNumber: string;
  readonly payment: {
    /** BPR01: `I` remittance + payment, `H` notification only, ... */
    readonly handlingCode: string;
    /** BPR02 total actual provider payment. */
    readonly amount: number;
    /** BPR03 `C` credit / `D` debit. */
    readonly creditDebit: string;
    /** BPR04 `ACH`, `CHK`, `NON`, ... */
    readonly method: string;
    /** BPR16 payment / effective date, `YYYY-MM-DD`. */
    readonly date?: string;
  };
  /** TRN02 check or EFT trace number; TRN03 originator (`1` + payer TIN). */
  readonly trace: { readonly number: string; readonly originator?: string };
  /** DTM*405 production date. */
  readonly productionDate?: string;
  readonly payer: { readonly name: string; readonly id?: string };
  readonly payee: { readonly name: string; readonly npi?: string; readonly taxId?: string };
}

/** One ST..SE 835 transaction (one payment). @category 835 */
export interface Remittance extends RemittanceHeader {
  readonly claims: readonly RemittanceClaim[];
  /** PLB provider-level adjustments, one per reason/amount pair, in file order. */
  readonly providerAdjustments: readonly ProviderAdjustment[];
  /** PLB provider-level adjustments, summed (dollars; positive = withheld). */
  readonly providerAdjustmentTotal: number;
}

/** Words for PLB03-1 adjustment reasons the SDK explains. @category 835 */
export const PROVIDER_ADJUSTMENT_REASON_TEXT: Readonly<Record<string, string>> = {
  '50': 'Late charge',
  '51': 'Interest penalty charge',
  '72': 'Authorized return',
  '90': 'Early payment allowance',
  AH: 'Origination fee',
  AM: 'Applied to borrower account',
  AP: 'Acceleration of benefits',
  B2: 'Rebate',
  B3: 'Recovery allowance',
  BD: 'Bad debt adjustment',
  BN: 'Bonus',
  C5: 'Temporary allowance',
  CR: 'Capitation interest',
  CS: 'Adjustment',
  CT: 'Capitation payment',
  CV: 'Capital passthru',
  CW: 'Certified registered nurse anesthetist passthru',
  DM: 'Direct medical education passthru',
  E3: 'Withholding',
  FB: 'Forwarding balance',
  FC: 'Fund allocation',
  GO: 'Graduate medical education passthru',
  HM: 'Hemophilia clotting factor supplement',
  IP: 'Incentive premium payment',
  IR: 'Internal Revenue Service withholding',
  IS: 'Interim settlement',
  J1: 'Nonreimbursable',
  L3: 'Penalty',
  L6: 'Interest owed',
  LE: 'Levy',
  LS: 'Lump sum',
  OA: 'Organ acquisition passthru',
  OB: 'Offset for affiliated providers',
  PI: 'Periodic interim payment',
  PL: 'Payment final',
  RA: 'Retro-activity adjustment',
  RE: 'Return on equity',
  SL: 'Student loan repayment',
  TL: 'Third party liability',
  WO: 'Overpayment recovery',
  WU: 'Unspent funds',
};

/** Words for CLP02. @category 835 */
export const CLAIM_STATUS_TEXT: Readonly<Record<string, string>> = {
  '1': 'Processed as primary',
  '2': 'Processed as secondary',
  '3': 'Processed as tertiary',
  '4': 'Denied (patient/subscriber not recognized, not forwarded)',
  '19': 'Processed as primary, forwarded to additional payer(s)',
  '20': 'Processed as secondary, forwarded to additional payer(s)',
  '21': 'Processed as tertiary, forwarded to additional payer(s)',
  '22': 'Reversal of previous payment',
  '23': 'Not our claim, forwarded to additional payer(s)',
  '25': 'Predetermination pricing only, no payment',
};
