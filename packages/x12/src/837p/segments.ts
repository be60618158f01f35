import { clean, formatMoney, formatQuantity } from '../internal/format.js';
import type { SegmentBuffer } from '../internal/segment.js';
import type { NormalizedAddress, NormalizedClaim } from './input.js';

/** Release-of-information code written in CLM09 for 42 CFR Part 2 claims. @category 837P */
export type Part2ReleaseCode = 'I' | 'Y';

function addressSegments(buf: SegmentBuffer, a: NormalizedAddress): void {
  buf.add('N3', a.line1, a.line2 ?? '');
  buf.add('N4', a.city, a.state, a.zip);
}

/** 1000A submitter + 1000B receiver. */
export function writeHeaderParties(
  buf: SegmentBuffer,
  submitter: { name: string; id: string; contactName: string; phone?: string; email?: string },
  receiver: { name: string; id: string },
): void {
  buf.add('NM1', '41', '2', clean(submitter.name, 60), '', '', '', '', '46', submitter.id.trim()); // 1000A NM1*41, 46 = ETIN
  const per: string[] = ['IC', clean(submitter.contactName, 60)];
  if (submitter.phone) per.push('TE', submitter.phone.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '')); // validated: 10 digits
  if (submitter.email) per.push('EM', submitter.email.trim());
  buf.add('PER', ...per); // 1000A PER
  buf.add('NM1', '40', '2', clean(receiver.name, 60), '', '', '', '', '46', receiver.id.trim()); // 1000B NM1*40
}

/** 2000A billing provider HL + 2010AA. */
export function writeBillingProvider(buf: SegmentBuffer, hl: number, c: NormalizedClaim): void {
  buf.add('HL', String(hl), '', '20', '1'); // 2000A HL03 = 20 information source, HL04 = 1 has children
  if (c.billing.taxonomy) buf.add('PRV', 'BI', 'PXC', c.billing.taxonomy); // 2000A PRV*BI
  buf.add('NM1', '85', '2', c.billing.name, '', '', '', '', 'XX', c.billing.npi); // 2010AA NM1*85
  addressSegments(buf, c.billing.address);
  buf.add('REF', 'EI', c.billing.ein); // 2010AA REF*EI billing TIN
}

/** 2000B subscriber HL + SBR, 2010BA subscriber, 2010BB payer. */
export function writeSubscriber(buf: SegmentBuffer, hl: number, parent: number, c: NormalizedClaim): void {
  buf.add('HL', String(hl), String(parent), '22', '0'); // 2000B HL03 = 22 subscriber, HL04 = 0 no patient child
  buf.add('SBR', 'P', '18', '', '', '', '', '', '', c.filingIndicator); // SBR01 P primary, SBR02 18 self, SBR09 filing indicator
  const s = c.subscriber;
  buf.add('NM1', 'IL', '1', s.last, s.first ?? '', s.middle ?? '', '', '', 'MI', s.memberId); // 2010BA NM1*IL
  if (s.address) addressSegments(buf, s.address);
  buf.add('DMG', 'D8', s.birthDate, s.gender); // 2010BA DMG
  buf.add('NM1', 'PR', '2', c.payer.name, '', '', '', '', 'PI', c.payer.id); // 2010BB NM1*PR
}

/** 2300 claim, 2310B rendering, 2310D supervising, 2400 service lines. */
export function writeClaim(buf: SegmentBuffer, c: NormalizedClaim, part2Code: Part2ReleaseCode): void {
  // 2300 CLM05 = POS : B : frequency; CLM06 signature on file Y; CLM07 assignment A; CLM08 benefits assigned Y
  // CLM09 release of information: Y = signed statement on file / required by law (42 CFR 2.31 consent);
  // I = informed consent for federally regulated conditions, TR3: only when no signature is collected or required
  buf.add(
    'CLM',
    c.patientControlNumber,
    formatMoney(c.totalCents),
    '',
    '',
    [c.pos, 'B', c.frequency],
    'Y',
    'A',
    'Y',
    c.part2 ? part2Code : 'Y',
  );
  if (c.payerClaimControlNumber) buf.add('REF', 'F8', c.payerClaimControlNumber); // 2300 REF*F8 payer claim control number
  if (c.priorAuthorization) buf.add('REF', 'G1', c.priorAuthorization); // 2300 REF*G1 prior authorization
  // 2300 HI: ABK principal, ABF others, no decimal point
  buf.add('HI', ...c.diagnoses.map((d, i) => [i === 0 ? 'ABK' : 'ABF', d]));
  const r = c.rendering;
  buf.add('NM1', '82', '1', r.last, r.first ?? '', '', '', '', 'XX', r.npi); // 2310B rendering provider
  if (r.taxonomy) buf.add('PRV', 'PE', 'PXC', r.taxonomy); // 2310B PRV*PE (situational)
  if (c.supervising) {
    const s = c.supervising;
    buf.add('NM1', 'DQ', '1', s.last, s.first ?? '', '', '', '', 'XX', s.npi); // 2310D supervising provider
  }
  c.lines.forEach((l, i) => {
    buf.add('LX', String(i + 1)); // 2400 LX
    buf.add(
      'SV1',
      ['HC', l.procedure, ...l.modifiers], // SV101 C003
      formatMoney(l.chargeCents), // SV102
      'UN', // SV103 units
      formatQuantity(l.units), // SV104
      l.pos !== c.pos ? l.pos : '', // SV105 only when it differs from CLM05-1
      '',
      l.pointers.map(String), // SV107 C004 diagnosis pointers
    );
    if (l.dateTo) buf.add('DTP', '472', 'RD8', `${l.dateFrom}-${l.dateTo}`); // 2400 DTP*472
    else buf.add('DTP', '472', 'D8', l.dateFrom);
    buf.add('REF', '6R', l.controlNumber); // 2400 REF*6R line item control number
  });
}
