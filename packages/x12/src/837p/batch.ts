import { X12InputError, type X12Issue } from '../errors.js';
import {
  formatInterchangeControl,
  formatTransactionControl,
  toControlNumberSource,
  type ControlNumberSource,
} from '../envelope/control-numbers.js';
import { buildIsa, validateParty } from '../envelope/interchange.js';
import { identifierElement, phoneElement, textElement } from '../internal/elements.js';
import { ccyymmdd, clean, hhmm } from '../internal/format.js';
import { SegmentBuffer } from '../internal/segment.js';
import type { NormalizedClaim, X12ClaimInput } from './input.js';
import { normalizeClaim } from './normalize.js';
import type { Write837POptions } from './options.js';
import { writeBillingProvider, writeClaim, writeHeaderParties, writeSubscriber } from './segments.js';

/** 005010X222A1 implementation convention reference (GS08, ST03). */
export const IMPLEMENTATION_837P = '005010X222A1';

export function validateOptions(o: Write837POptions): void {
  const issues: X12Issue[] = [];
  if (!o) throw new X12InputError([{ path: 'options', message: 'required' }]);
  validateParty(o.sender, 'options.sender', issues);
  validateParty(o.receiver, 'options.receiver', issues);
  // 1000A / 1000B NM103 names, PER02 contact: 1..60 after cleaning
  textElement(clean(o.receiver?.name ?? '', 60), 'options.receiver.name', '1000B NM103', 1, 60, issues);
  textElement(clean(o.submitter?.name ?? '', 60), 'options.submitter.name', '1000A NM103', 1, 60, issues);
  textElement(clean(o.submitter?.contact?.name ?? '', 60), 'options.submitter.contact.name', '1000A PER02', 1, 60, issues);
  // NM109 ETIN / receiver id: 2..80, sent as given
  identifierElement(o.submitter?.id ?? o.sender?.id, o.submitter?.id !== undefined ? 'options.submitter.id' : 'options.sender.id', '1000A NM109', 2, 80, issues);
  identifierElement(o.receiver?.receiverId ?? o.receiver?.id, o.receiver?.receiverId !== undefined ? 'options.receiver.receiverId' : 'options.receiver.id', '1000B NM109', 2, 80, issues);
  const contact = o.submitter?.contact;
  if (contact && !contact.phone && !contact.email) issues.push({ path: 'options.submitter.contact', message: 'phone or email required (1000A PER04)' });
  if (contact?.phone !== undefined) phoneElement(contact.phone, 'options.submitter.contact.phone', '1000A PER04', issues);
  if (contact?.email !== undefined) {
    const email = identifierElement(contact.email, 'options.submitter.contact.email', '1000A PER06', 3, 256, issues);
    if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) issues.push({ path: 'options.submitter.contact.email', message: 'must be an email address (1000A PER06)' });
  }
  if (o.usage !== 'T' && o.usage !== 'P') issues.push({ path: 'options.usage', message: "must be 'T' or 'P'" });
  // ISA09/10, GS04/05, BHT04/05 come from the date: an invalid one would write NaN
  if (o.date !== undefined && (!(o.date instanceof Date) || Number.isNaN(o.date.getTime()) || o.date.getUTCFullYear() < 1000 || o.date.getUTCFullYear() > 9999)) {
    issues.push({ path: 'options.date', message: 'must be a valid date (ISA09, GS04, BHT04)' });
  }
  const max = o.maxClaimsPerTransaction;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    issues.push({ path: 'options.maxClaimsPerTransaction', message: 'must be a positive integer' });
  }
  if (!o.controlNumbers) issues.push({ path: 'options.controlNumbers', message: 'required' });
  if (issues.length) throw new X12InputError(issues);
}

const billingKey = (c: NormalizedClaim) => {
  const b = c.billing;
  const a = b.address;
  return `${b.npi}#${b.ein}#${b.name}#${b.taxonomy ?? ''}#${a.line1}#${a.line2 ?? ''}#${a.city}#${a.state}#${a.zip}`;
};
const subscriberKey = (c: NormalizedClaim) => {
  const s = c.subscriber;
  const a = s.address;
  return `${s.memberId}#${c.payer.id}#${c.payer.name}#${c.filingIndicator}#${s.last}#${s.first ?? ''}#${s.middle ?? ''}#${s.birthDate}#${s.gender}#${a ? `${a.line1}#${a.line2 ?? ''}#${a.city}#${a.state}#${a.zip}` : ''}`;
};

/**
 * Incremental 837P writer: `add()` returns the text for one claim (opening envelopes as needed),
 * `finish()` the closing trailers. Memory use is independent of batch size.
 */
export class Batch837Writer {
  private readonly buf: SegmentBuffer;
  private readonly source: ControlNumberSource;
  private readonly date: Date;
  private readonly maxPerSt: number;
  private isaControl = 0;
  private gsControl = 0;
  private stControl = 0;
  private started = false;
  private inSt = false;
  private stCount = 0;
  private claimsInSt = 0;
  private segmentsAtSt = 0;
  private hl = 0;
  private billingHl = 0;
  private lastBilling = '';
  private lastSubscriber = '';
  claims = 0;

  constructor(private readonly o: Write837POptions) {
    validateOptions(o);
    this.buf = new SegmentBuffer(o.lineBreaks === false ? '~' : '~\n');
    this.source = toControlNumberSource(o.controlNumbers);
    this.date = o.date ?? new Date();
    this.maxPerSt = o.maxClaimsPerTransaction ?? 5000;
  }

  /** Validate + write one claim; throws {@link X12InputError} with paths under `claims[index]`. */
  add(input: X12ClaimInput, index: number): string {
    const issues: X12Issue[] = [];
    const c = normalizeClaim(input, `claims[${index}]`, issues);
    if (!c) throw new X12InputError(issues);
    return this.addNormalized(c);
  }

  addNormalized(c: NormalizedClaim): string {
    if (!this.started) this.openInterchange();
    if (this.inSt && this.claimsInSt >= this.maxPerSt) this.closeSt();
    if (!this.inSt) this.openSt();
    const bKey = billingKey(c);
    const sKey = subscriberKey(c);
    if (bKey !== this.lastBilling) {
      this.billingHl = ++this.hl;
      writeBillingProvider(this.buf, this.billingHl, c);
      this.lastBilling = bKey;
      this.lastSubscriber = '';
    }
    if (sKey !== this.lastSubscriber) {
      writeSubscriber(this.buf, ++this.hl, this.billingHl, c);
      this.lastSubscriber = sKey;
    }
    writeClaim(this.buf, c, this.o.part2ReleaseOfInformationCode ?? 'Y');
    this.claimsInSt++;
    this.claims++;
    return this.buf.drain();
  }

  /** Close the open ST, GS and ISA; throws when no claim was written. */
  finish(): string {
    if (!this.started) throw new X12InputError([{ path: 'claims', message: 'at least one claim is required' }]);
    if (this.inSt) this.closeSt();
    this.buf.add('GE', String(this.stCount), String(this.gsControl)); // GE01 = number of ST in the group
    this.buf.add('IEA', '1', formatInterchangeControl(this.isaControl)); // IEA01 = 1 functional group
    return this.buf.drain();
  }

  private openInterchange(): void {
    this.isaControl = this.source.nextInterchange();
    this.gsControl = this.source.nextGroup();
    this.buf.addRaw(
      buildIsa({
        sender: this.o.sender,
        receiver: this.o.receiver,
        date: this.date,
        controlNumber: this.isaControl,
        usage: this.o.usage,
        acknowledgmentRequested: this.o.acknowledgmentRequested ?? false,
      }),
    );
    this.buf.add(
      'GS',
      'HC',
      this.o.sender.applicationCode ?? this.o.sender.id, // validated: 2..15 printable, no delimiter
      this.o.receiver.applicationCode ?? this.o.receiver.id,
      ccyymmdd(this.date),
      hhmm(this.date),
      String(this.gsControl),
      'X',
      IMPLEMENTATION_837P,
    );
    this.started = true;
  }

  private openSt(): void {
    this.stControl = this.source.nextTransaction();
    this.segmentsAtSt = this.buf.count;
    const st = formatTransactionControl(this.stControl);
    this.buf.add('ST', '837', st, IMPLEMENTATION_837P);
    // BHT03 originator reference: ISA13 + ST02 is unique per submitter
    this.buf.add('BHT', '0019', '00', `${formatInterchangeControl(this.isaControl)}${st}`, ccyymmdd(this.date), hhmm(this.date), 'CH');
    writeHeaderParties(
      this.buf,
      {
        name: this.o.submitter.name,
        id: this.o.submitter.id ?? this.o.sender.id,
        contactName: this.o.submitter.contact.name,
        ...(this.o.submitter.contact.phone ? { phone: this.o.submitter.contact.phone } : {}),
        ...(this.o.submitter.contact.email ? { email: this.o.submitter.contact.email } : {}),
      },
      { name: this.o.receiver.name, id: this.o.receiver.receiverId ?? this.o.receiver.id },
    );
    this.inSt = true;
    this.claimsInSt = 0;
    this.hl = 0;
    this.lastBilling = '';
    this.lastSubscriber = '';
  }

  private closeSt(): void {
    // SE01 counts ST..SE inclusive
    const count = this.buf.count - this.segmentsAtSt + 1;
    this.buf.add('SE', String(count), formatTransactionControl(this.stControl));
    this.stCount++;
    this.inSt = false;
  }
}
