/** Split an X12 interchange into segments of elements using the delimiters its ISA declares. Test-only; trusts its input. */
export function segmentsOf(text: string, builder: string): { segments: string[][]; repetition: string; component: string } {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('ISA') || body.length < 106) throw new Error(`${builder}: input is not an X12 interchange`);
  const e = body[3]!;
  const seg = body[105]!;
  const segments = body.split(seg).map((s) => s.replace(/^[\r\n]+/, '')).filter((s) => s !== '').map((s) => s.split(e));
  return { segments, repetition: body[82]!, component: body[104]! };
}

/** CCYYMMDD of a date (UTC). */
export const d8 = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');

/** The synthetic payer's ISA/GS/ST..SE/GE/IEA around a transaction set body, one segment a line. */
export function envelope(body: readonly string[], o: { date: Date; functionalId: string; transaction: string; version: string }): string {
  const yymmdd = d8(o.date).slice(2);
  const isa = `ISA*00*          *00*          *ZZ*${'SYNTHPAYER'.padEnd(15)}*ZZ*${'SYNTHAGENCY'.padEnd(15)}*${yymmdd}*1200*^*00501*000000001*0*T*:`;
  const lines = [
    isa,
    `GS*${o.functionalId}*SYNTHPAYER*SYNTHAGENCY*${d8(o.date)}*1200*1*X*${o.version}`,
    `ST*${o.transaction}*0001*${o.version}`,
    ...body,
    `SE*${body.length + 2}*0001`,
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return lines.map((l) => `${l}~\n`).join('');
}
