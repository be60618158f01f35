/**
 * Test-only 271 answers to a 270, for synthetic data: reads the inquiry's subscribers and writes, per subscriber, the
 * 271 loops the 005010X279A1 TR3 prescribes for the answer the test asks for (active, inactive, managed-care plan,
 * other payer, AAA rejection). Not for production: it trusts its input and checks nothing beyond the structure it needs.
 */
import { d8, envelope, segmentsOf } from './interchange.js';

/** One member asked about in a 270, as the builder hands it to `decide`. @category X12 test builders */
export interface InquiredMember {
  /** 2000C TRN02 (the 270's trace number). */
  readonly trace: string;
  readonly memberId?: string;
  readonly last?: string;
  readonly first?: string;
  /** DMG02, CCYYMMDD. */
  readonly birthDate?: string;
  /** DTP*291 DTP03 (CCYYMMDD or CCYYMMDD-CCYYMMDD). */
  readonly serviceDate?: string;
  /** EQ01 service types asked. */
  readonly serviceTypes: readonly string[];
}

/**
 * What the synthetic payer answers for one member.
 *
 * @category X12 test builders
 */
export type SyntheticEligibilityAnswer =
  | { readonly kind: 'active'; readonly plan?: string; readonly from?: string; readonly to?: string }
  | { readonly kind: 'inactive'; readonly endedOn?: string }
  | { readonly kind: 'managed-care'; readonly name: string; readonly payerId: string; readonly from?: string }
  | { readonly kind: 'other-payer'; readonly name: string; readonly payerId: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly followUp?: string };

/**
 * Options of {@link answer270}.
 *
 * @category X12 test builders
 */
export interface Answer270Options {
  /** The answer per member; default every member is active. */
  readonly decide?: (member: InquiredMember) => SyntheticEligibilityAnswer;
  /** BHT04/ISA09 date; default 2025-01-01. */
  readonly date?: Date;
}

interface Inquiry {
  payer: string;
  receiver: string;
  members: (InquiredMember & { nm1: string; dmg?: string })[];
}

function parse270(text: string): Inquiry {
  const { segments, repetition: rep } = segmentsOf(text, 'answer270');
  const e = '*';
  const out: Inquiry = { payer: '', receiver: '', members: [] };
  let hl = '';
  let cur: (InquiredMember & { nm1: string; dmg?: string }) | undefined;
  for (const s of segments) {
    const [id] = s;
    if (id === 'ST' && s[1] !== '270') throw new Error('answer270: transaction set is not a 270');
    if (id === 'HL') {
      hl = s[3] ?? '';
      if (hl === '22') {
        cur = { trace: '', nm1: '', serviceTypes: [] };
        out.members.push(cur);
      }
    } else if (id === 'NM1' && hl === '20') out.payer = s.join(e);
    else if (id === 'NM1' && hl === '21') out.receiver = s.join(e);
    else if (cur && id === 'TRN') (cur as { trace: string }).trace = s[2] ?? '';
    else if (cur && id === 'NM1') {
      cur.nm1 = s.join(e);
      Object.assign(cur, { ...(s[3] ? { last: s[3] } : {}), ...(s[4] ? { first: s[4] } : {}), ...(s[9] ? { memberId: s[9] } : {}) });
    } else if (cur && id === 'DMG') {
      cur.dmg = s.join(e);
      if (s[2]) Object.assign(cur, { birthDate: s[2] });
    } else if (cur && id === 'DTP' && s[1] === '291') Object.assign(cur, { serviceDate: s[3] });
    else if (cur && id === 'EQ' && s[1]) (cur.serviceTypes as string[]).push(...s[1].split(rep));
  }
  return out;
}


/**
 * Answer a 270 with a 271 (005010X279A1) for synthetic data: one ST..SE for the whole inquiry, each 2000C echoing the
 * 270's trace (TRN*2), name and member id, then the loops for the answer `decide` picks.
 *
 * @param text270 - an X12 270 eligibility inquiry
 * @param options - the answer date and a decision per inquired member
 * @returns the X12 271 answer text
 * @example
 * ```ts
 * import { answer270 } from '@peer-fhir/testing';
 * declare const text270: string;
 * const text271 = answer270(text270, { decide: (m) => (m.memberId === 'M2' ? { kind: 'inactive', endedOn: '20250131' } : { kind: 'active' }) });
 * ```
 * @category X12 test builders
 */
export function answer270(text270: string, options: Answer270Options = {}): string {
  const q = parse270(text270);
  const date = options.date ?? new Date(Date.UTC(2025, 0, 1, 12, 0));
  const decide = options.decide ?? ((): SyntheticEligibilityAnswer => ({ kind: 'active' }));
  const body: string[] = ['BHT*0022*11*SYNTHETIC271*' + d8(date) + '*1200', 'HL*1**20*1', q.payer, 'HL*2*1*21*1', q.receiver];
  let hl = 2;
  for (const m of q.members) {
    const a = decide(m);
    body.push(`HL*${++hl}*2*22*0`, `TRN*2*${m.trace}*9SYNTHETIC`, m.nm1);
    if (a.kind === 'rejected') {
      // 2100C AAA: the payer could not answer for this member (X279A1: no 2110C follows)
      body.push(`AAA*N**${a.code}*${a.followUp ?? 'C'}`);
      continue;
    }
    if (m.dmg) body.push(m.dmg);
    switch (a.kind) {
      case 'active':
        if (a.from) body.push(`DTP*346*D8*${a.from}`);
        if (a.to) body.push(`DTP*347*D8*${a.to}`);
        body.push(`EB*1*IND*30^MH*MC*${a.plan ?? 'MEDICAID'}`);
        break;
      case 'inactive':
        if (a.endedOn) body.push(`DTP*357*D8*${a.endedOn}`);
        body.push('EB*6*IND*30');
        break;
      case 'managed-care':
        body.push('EB*1*IND*30*MC*MEDICAID', `EB*MC*IND*30^MH*HM*${a.name}`);
        if (a.from) body.push(`DTP*292*D8*${a.from}`);
        body.push('LS*2120', `NM1*Y2*2*${a.name}*****PI*${a.payerId}`, 'LE*2120');
        break;
      case 'other-payer':
        body.push('EB*1*IND*30*MC', 'EB*R*IND*30*C1', 'LS*2120', `NM1*PRP*2*${a.name}*****PI*${a.payerId}`, 'LE*2120');
        break;
    }
  }
  return envelope(body, { date, functionalId: 'HB', transaction: '271', version: '005010X279A1' });
}
