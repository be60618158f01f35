import { X12InputError, type X12Issue } from '../errors.js';
import { identifierElement } from '../internal/elements.js';
import { ccyymmdd, hhmm } from '../internal/format.js';
import { DEFAULT_DELIMITERS, type Delimiters } from '../internal/segment.js';
import { formatInterchangeControl } from './control-numbers.js';

/**
 * One side of the interchange: ISA05/06 (sender) or ISA07/08 (receiver), and GS02/GS03.
 *
 * @category Envelope
 */
export interface InterchangeParty {
  /** ISA06 / ISA08 interchange id, 1..15 characters (padded to 15). */
  readonly id: string;
  /** ISA05 / ISA07 qualifier; default `ZZ` (mutually defined). */
  readonly qualifier?: string;
  /** GS02 / GS03 application code; default = `id`. */
  readonly applicationCode?: string;
}

export interface IsaFields {
  readonly sender: InterchangeParty;
  readonly receiver: InterchangeParty;
  readonly date: Date;
  readonly controlNumber: number;
  readonly usage: 'T' | 'P';
  readonly acknowledgmentRequested?: boolean;
}

export function validateParty(party: InterchangeParty | undefined, path: string, issues: X12Issue[]): void {
  if (!party || typeof party.id !== 'string' || party.id.trim() === '') {
    issues.push({ path: `${path}.id`, message: 'required' });
    return;
  }
  // ISA06/ISA08 AN 15 (the value 1..15, padded); printable ASCII without delimiters, never rewritten
  const before = issues.length;
  identifierElement(party.id, `${path}.id`, 'ISA06/ISA08', 1, 15, issues);
  if (party.id !== party.id.trim()) issues.push({ path: `${path}.id`, message: 'must not start or end with a space (ISA06/ISA08)' });
  const idOk = issues.length === before;
  if (party.qualifier !== undefined && !/^[A-Z0-9]{2}$/.test(party.qualifier)) {
    issues.push({ path: `${path}.qualifier`, message: 'must be a 2-character ISA qualifier' });
  }
  // GS02/GS03 application code: AN 2..15 (default the ISA id)
  if (party.applicationCode !== undefined) identifierElement(party.applicationCode, `${path}.applicationCode`, 'GS02/GS03', 2, 15, issues);
  else if (idOk && party.id.length < 2) issues.push({ path: `${path}.id`, message: 'must be 2..15 characters when it is also the application code (GS02/GS03)' });
}

/**
 * ISA with every fixed-width field padded; 105 characters before the segment terminator.
 * ISA01..04 authorization/security are unused (`00` + 10 spaces).
 */
export function buildIsa(f: IsaFields, d: Delimiters = DEFAULT_DELIMITERS): string {
  const issues: X12Issue[] = [];
  validateParty(f.sender, 'sender', issues);
  validateParty(f.receiver, 'receiver', issues);
  if (issues.length) throw new X12InputError(issues);
  const e = d.element;
  const isa = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    (f.sender.qualifier ?? 'ZZ').padEnd(2),
    f.sender.id.padEnd(15),
    (f.receiver.qualifier ?? 'ZZ').padEnd(2),
    f.receiver.id.padEnd(15),
    ccyymmdd(f.date).slice(2), // ISA09 YYMMDD
    hhmm(f.date),
    d.repetition, // ISA11 repetition separator (5010)
    '00501',
    formatInterchangeControl(f.controlNumber),
    f.acknowledgmentRequested ? '1' : '0',
    f.usage,
    d.component, // ISA16 component element separator
  ].join(e);
  return isa;
}
