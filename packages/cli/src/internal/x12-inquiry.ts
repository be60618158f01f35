// The inquiries the CLI writes to the payer (a 270 for eligibility, a 276 for claim status) share their envelope and
// how an element that cannot be written is reported.
import { X12InquiryInputError } from '@peer-fhir/x12';
import type { CliConfig } from '../config.js';
import { CliUsageError } from '../errors.js';
import { note, type CommandIo } from './io.js';

/**
 * The envelope of an inquiry from the agency to its payer: the agency's NPI as sender, the payer id as receiver
 * (ISA08 holds 15 characters), a fresh interchange control number, production usage.
 */
export function inquiryEnvelope(config: CliConfig): { sender: { id: string }; receiver: { id: string }; controlNumbers: { isa: number; gs: number }; usage: 'P' } {
  return {
    sender: { id: config.organization.npi },
    receiver: { id: config.payer.id.slice(0, 15) },
    controlNumbers: { isa: (Math.floor(Date.now() / 1000) % 999_999_998) + 1, gs: 1 },
    usage: 'P',
  };
}

/**
 * The inquiry's text, or a usage error after a note per element that cannot be written (its path and element, never
 * its value).
 */
export function inquiryText(transaction: '270' | '276', io: CommandIo, write: () => string): string {
  try {
    return write();
  } catch (e) {
    if (!(e instanceof X12InquiryInputError)) throw e;
    for (const i of e.issues) note(io, `  ${i.path} (${i.element}): ${i.message}`);
    throw new CliUsageError(`${e.issues.length} element(s) cannot be written to a ${transaction} (see above)`);
  }
}
