/**
 * X12 code lists of the eligibility transactions (005010X279A1), with their words. Codes are X12 external/internal
 * code lists; the words are the code list's own names, so a report can say what the payer said.
 */

/**
 * Service type codes (X12 element 1365; EQ01, EB03). The 270 writer accepts only codes in this list.
 * `30` is the generic "health benefit plan coverage" inquiry every payer must answer (X279A1 1.4.7); peer support is
 * usually asked as `MH` (mental health) or `AI` (substance abuse) next to it.
 *
 * @example
 * ```ts
 * SERVICE_TYPE_TEXT['MH']; // 'Mental Health'
 * ```
 * @category Eligibility
 */
export const SERVICE_TYPE_TEXT: Readonly<Record<string, string>> = {
  '1': 'Medical Care',
  '2': 'Surgical',
  '3': 'Consultation',
  '4': 'Diagnostic X-Ray',
  '5': 'Diagnostic Lab',
  '6': 'Radiation Therapy',
  '7': 'Anesthesia',
  '12': 'Durable Medical Equipment Purchase',
  '18': 'Durable Medical Equipment Rental',
  '22': 'Social Work',
  '30': 'Health Benefit Plan Coverage',
  '33': 'Chiropractic',
  '35': 'Dental Care',
  '42': 'Home Health Care',
  '45': 'Hospice',
  '46': 'Respite Care',
  '47': 'Hospital',
  '48': 'Hospital - Inpatient',
  '50': 'Hospital - Outpatient',
  '54': 'Long Term Care',
  '56': 'Medically Related Transportation',
  '60': 'General Benefits',
  '67': 'Smoking Cessation',
  '86': 'Emergency Services',
  '88': 'Pharmacy',
  '96': 'Professional (Physician)',
  '98': 'Professional (Physician) Visit - Office',
  A4: 'Psychiatric',
  A6: 'Psychotherapy',
  A7: 'Psychiatric - Inpatient',
  A8: 'Psychiatric - Outpatient',
  A9: 'Rehabilitation',
  AC: 'Rehabilitation - Outpatient',
  AI: 'Substance Abuse',
  AJ: 'Alcoholism',
  AK: 'Drug Addiction',
  AL: 'Vision (Optometry)',
  MH: 'Mental Health',
  UC: 'Urgent Care',
};

/**
 * Eligibility or benefit information codes (EB01).
 *
 * @example
 * ```ts
 * ELIGIBILITY_CODE_TEXT['6']; // 'Inactive'
 * ```
 * @category Eligibility
 */
export const ELIGIBILITY_CODE_TEXT: Readonly<Record<string, string>> = {
  '1': 'Active Coverage',
  '2': 'Active - Full Risk Capitation',
  '3': 'Active - Services Capitated',
  '4': 'Active - Services Capitated to Primary Care Physician',
  '5': 'Active - Pending Investigation',
  '6': 'Inactive',
  '7': 'Inactive - Pending Eligibility Update',
  '8': 'Inactive - Pending Investigation',
  A: 'Co-Insurance',
  B: 'Co-Payment',
  C: 'Deductible',
  CB: 'Coverage Basis',
  D: 'Benefit Description',
  E: 'Exclusions',
  F: 'Limitations',
  G: 'Out of Pocket (Stop Loss)',
  H: 'Unlimited',
  I: 'Non-Covered',
  J: 'Cost Containment',
  K: 'Reserve',
  L: 'Primary Care Provider',
  M: 'Pre-existing Condition',
  MC: 'Managed Care Coordinator',
  N: 'Services Restricted to Following Provider',
  O: 'Not Deemed a Medical Necessity',
  P: 'Benefit Disclaimer',
  Q: 'Second Surgical Opinion Required',
  R: 'Other or Additional Payor',
  S: 'Prior Year(s) History',
  T: 'Card(s) Reported Lost/Stolen',
  U: 'Contact Following Entity for Eligibility or Benefit Information',
  V: 'Cannot Process',
  W: 'Other Source of Data',
  X: 'Health Care Facility',
  Y: 'Spend Down',
};

/** EB01 codes that mean the member is covered. */
export const ACTIVE_CODES: ReadonlySet<string> = new Set(['1', '2', '3', '4', '5']);
/** EB01 codes that mean the member is not covered. */
export const INACTIVE_CODES: ReadonlySet<string> = new Set(['6', '7', '8']);
/** EB01 codes that point at another payer or plan for this member (MCO enrolment, other payer, contact entity). */
export const OTHER_PAYER_CODES: ReadonlySet<string> = new Set(['MC', 'R']);

/**
 * Reject reason codes (AAA03), at any loop of the 271.
 *
 * @example
 * ```ts
 * REJECT_REASON_TEXT['75']; // 'Subscriber/Insured Not Found'
 * ```
 * @category Eligibility
 */
export const REJECT_REASON_TEXT: Readonly<Record<string, string>> = {
  '04': 'Authorized Quantity Exceeded',
  '15': 'Required application data missing',
  '33': 'Input Errors',
  '35': 'Out of Network',
  '41': 'Authorization/Access Restrictions',
  '42': 'Unable to Respond at Current Time',
  '43': 'Invalid/Missing Provider Identification',
  '44': 'Invalid/Missing Provider Name',
  '45': 'Invalid/Missing Provider Specialty',
  '46': 'Invalid/Missing Provider Phone Number',
  '47': 'Invalid/Missing Provider State',
  '48': 'Invalid/Missing Referring Provider Identification Number',
  '49': 'Provider is Not Primary Care Physician',
  '50': 'Provider Ineligible for Inquiries',
  '51': 'Provider Not on File',
  '52': 'Service Dates Not Within Provider Plan Enrollment',
  '53': 'Inquired Benefit Inconsistent with Provider Type',
  '54': 'Inappropriate Product/Service ID Qualifier',
  '55': 'Inappropriate Product/Service ID',
  '56': 'Inappropriate Date',
  '57': 'Invalid/Missing Date(s) of Service',
  '58': 'Invalid/Missing Date-of-Birth',
  '60': 'Date of Birth Follows Date(s) of Service',
  '61': 'Date of Death Precedes Date(s) of Service',
  '62': 'Date of Service Not Within Allowable Inquiry Period',
  '63': 'Date of Service in Future',
  '64': 'Invalid/Missing Patient ID',
  '65': 'Invalid/Missing Patient Name',
  '66': 'Invalid/Missing Patient Gender Code',
  '67': 'Patient Not Found',
  '68': 'Duplicate Patient ID Number',
  '69': "Inconsistent with Patient's Age",
  '70': "Inconsistent with Patient's Gender",
  '71': 'Patient Birth Date Does Not Match That for the Patient on the Database',
  '72': 'Invalid/Missing Subscriber/Insured ID',
  '73': 'Invalid/Missing Subscriber/Insured Name',
  '74': 'Invalid/Missing Subscriber/Insured Gender Code',
  '75': 'Subscriber/Insured Not Found',
  '76': 'Duplicate Subscriber/Insured ID Number',
  '77': 'Subscriber Found, Patient Not Found',
  '78': 'Subscriber/Insured Not in Group/Plan Identified',
  '79': 'Invalid Participant Identification',
  '80': 'No Response received - Transaction Terminated',
  '97': 'Invalid or Missing Provider Address',
  T4: 'Payer Name or Identifier Missing',
};

/**
 * Follow-up action codes (AAA04): what the payer asks the submitter to do next.
 *
 * @example
 * ```ts
 * FOLLOW_UP_TEXT['C']; // 'Please Correct and Resubmit'
 * ```
 * @category Eligibility
 */
export const FOLLOW_UP_TEXT: Readonly<Record<string, string>> = {
  C: 'Please Correct and Resubmit',
  N: 'Resubmission Not Allowed',
  P: 'Please Resubmit Original Transaction',
  R: 'Resubmission Allowed',
  S: 'Do Not Resubmit; Inquiry Initiated to a Third Party',
  W: 'Please Wait 30 Days and Resubmit',
  X: 'Please Wait 10 Days and Resubmit',
  Y: 'Do Not Resubmit; We Will Hand Deliver or Fax',
};

/**
 * Entity identifier codes of the 2120C benefit related entity (NM101), and of the parties of the 270/271.
 *
 * @example
 * ```ts
 * ENTITY_TEXT['Y2']; // 'Managed Care Organization'
 * ```
 * @category Eligibility
 */
export const ENTITY_TEXT: Readonly<Record<string, string>> = {
  '13': 'Contracted Service Provider',
  '1I': 'Preferred Provider Organization (PPO)',
  '1P': 'Provider',
  '2B': 'Third-Party Administrator',
  '36': 'Employer',
  '73': 'Other Physician',
  FA: 'Facility',
  GP: 'Gateway Provider',
  I3: 'Independent Physicians Association (IPA)',
  IL: 'Insured or Subscriber',
  P3: 'Primary Care Provider',
  P4: 'Prior Insurance Carrier',
  P5: 'Plan Sponsor',
  PR: 'Payer',
  PRP: 'Primary Payer',
  SEP: 'Secondary Payer',
  TTP: 'Tertiary Payer',
  VN: 'Vendor',
  X3: 'Utilization Management Organization',
  Y2: 'Managed Care Organization',
};

/**
 * Insurance type codes (EB04) a Medicaid 271 commonly carries.
 *
 * @example
 * ```ts
 * INSURANCE_TYPE_TEXT['MC']; // 'Medicaid'
 * ```
 * @category Eligibility
 */
export const INSURANCE_TYPE_TEXT: Readonly<Record<string, string>> = {
  C1: 'Commercial',
  CO: 'Consolidated Omnibus Budget Reconciliation Act (COBRA)',
  EP: 'Exclusive Provider Organization',
  HM: 'Health Maintenance Organization (HMO)',
  HN: 'HMO - Medicare Risk',
  IN: 'Indemnity',
  MA: 'Medicare Part A',
  MB: 'Medicare Part B',
  MC: 'Medicaid',
  MP: 'Medicare Primary',
  OT: 'Other',
  PR: 'Preferred Provider Organization (PPO)',
  PS: 'Point of Service (POS)',
  QM: 'Qualified Medicare Beneficiary',
  SP: 'Supplemental Policy',
};

/** Words for a code from one of the lists, or a neutral label naming the list and the code (codes are not PHI). */
export function describe(list: Readonly<Record<string, string>>, code: string, what: string): string {
  // A damaged file can put any text where a code belongs: only code-shaped text is echoed.
  return list[code] ?? (/^[A-Z0-9]{1,3}$/.test(code) ? `${what} ${code}` : `unreadable ${what}`);
}
