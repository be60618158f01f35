import { X12InputError } from '../errors.js';

/**
 * Supplies envelope control numbers: ISA13 (interchange), GS06 (group) and ST02 (transaction set).
 * Persist the last values yourself between runs; X12 wants them unique per trading partner.
 *
 * @category Envelope
 */
export interface ControlNumberSource {
  /** Next ISA13 interchange control number, 1..999999999. */
  nextInterchange(): number;
  /** Next GS06 group control number, 1..999999999. */
  nextGroup(): number;
  /** Next ST02 transaction set control number, 1..999999999 (written zero-padded to at least 4 digits). */
  nextTransaction(): number;
}

/**
 * Starting control numbers for one interchange: ISA13, GS06 and the first ST02 (default 1).
 *
 * @category Envelope
 */
export interface ControlNumbers {
  readonly isa: number;
  readonly gs: number;
  readonly st?: number;
}

const MAX_CONTROL = 999_999_999;

/**
 * Create a counter-backed {@link ControlNumberSource} that starts at the given numbers.
 *
 * Spec: ISA13 / GS06 / ST02 — X12 005010 envelope (ISA13 is 9 digits; ST02 4–9 characters).
 *
 * @param start - the first ISA13, GS06 and ST02 numbers
 * @returns a source that hands out the next numbers in order
 * @example
 * const source = createControlNumberSource({ isa: 905, gs: 17, st: 1 });
 * source.nextInterchange(); // 905
 * source.nextTransaction(); // 1, then 2, ...
 * @category Envelope
 */
export function createControlNumberSource(start: ControlNumbers): ControlNumberSource {
  let isa = start.isa;
  let gs = start.gs;
  let st = start.st ?? 1;
  const take = (value: number, path: string): number => {
    if (!Number.isInteger(value) || value < 1 || value > MAX_CONTROL) {
      throw new X12InputError([{ path, message: 'control number must be an integer 1..999999999' }]);
    }
    return value;
  };
  return {
    nextInterchange: () => take(isa++, 'controlNumbers.isa'),
    nextGroup: () => take(gs++, 'controlNumbers.gs'),
    nextTransaction: () => take(st++, 'controlNumbers.st'),
  };
}

/** Normalize either form into a source. */
export function toControlNumberSource(value: ControlNumbers | ControlNumberSource): ControlNumberSource {
  return 'nextInterchange' in value ? value : createControlNumberSource(value);
}

/** ISA13 / IEA02: 9 digits, zero padded. */
export function formatInterchangeControl(n: number): string {
  return String(n).padStart(9, '0');
}

/** ST02 / SE02: at least 4 digits. */
export function formatTransactionControl(n: number): string {
  return String(n).padStart(4, '0');
}
