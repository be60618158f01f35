import type { ControlNumberSource, ControlNumbers } from '../envelope/control-numbers.js';
import type { InterchangeParty } from '../envelope/interchange.js';
import type { Part2ReleaseCode } from './segments.js';

/**
 * Envelope and header settings for an 837P interchange.
 *
 * @category 837P
 */
export interface Write837POptions {
  /** ISA05/06 + GS02. */
  readonly sender: InterchangeParty;
  /** ISA07/08 + GS03; `name` goes to 1000B NM103. */
  readonly receiver: InterchangeParty & { readonly name: string; /** 1000B NM109; default `id`. */ readonly receiverId?: string };
  /** 1000A submitter name, ETIN (default `sender.id`) and EDI contact (PER). */
  readonly submitter: {
    readonly name: string;
    readonly id?: string;
    readonly contact: { readonly name: string; readonly phone?: string; readonly email?: string };
  };
  /** Starting control numbers, or a source that hands them out. */
  readonly controlNumbers: ControlNumbers | ControlNumberSource;
  /** ISA15: `T` test, `P` production. */
  readonly usage: 'T' | 'P';
  /** Creation time for ISA09/10, GS04/05, BHT04/05 (written in UTC); default now. */
  readonly date?: Date;
  /** Claims per ST..SE transaction set; default 5000. */
  readonly maxClaimsPerTransaction?: number;
  /** ISA14: ask for a TA1; default false. */
  readonly acknowledgmentRequested?: boolean;
  /** Put a line break after every `~`; default true (readable; receivers ignore it). */
  readonly lineBreaks?: boolean;
  /**
   * CLM09 for claims labelled 42CFRPart2 in `meta.security`; default `Y`. The 005010X222A1 note
   * requires `Y` when a signature was collected or law requires one — 42 CFR 2.31 requires written
   * consent — and reserves `I` for "no signature collected and none required". Set `I` only when a
   * payer's companion guide asks for it on Part 2 claims. See README "Verification".
   */
  readonly part2ReleaseOfInformationCode?: Part2ReleaseCode;
}
