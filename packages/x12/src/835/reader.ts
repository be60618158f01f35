import { X12ParseError } from '../errors.js';
import { X12Tokenizer } from '../internal/tokenizer.js';
import { Parser835 } from './parser.js';
import type { Remittance, RemittanceClaim, RemittanceHeader } from './types.js';

/**
 * Read an X12 835 005010X221A1 interchange into typed remittances (one per ST..SE payment).
 *
 * Delimiters come from the ISA; SE01, GE01 and IEA01/IEA02 are checked. The file is refused whole — nothing is
 * returned — when it is not 5010 ({@link X12VersionError}, e.g. a 4010 835), when an amount or quantity is not an X12
 * decimal ({@link X12AmountError}), or when it does not balance ({@link X12UnbalancedError}: BPR02 = ΣCLP04 − ΣPLB,
 * CLP03 − CLP04 = claim + line CAS, SVC02 − SVC03 = line CAS). Errors name the segment position, id and element,
 * never element values (835s carry PHI).
 *
 * Spec: ASC X12N 835 Health Care Claim Payment/Advice, 005010X221A1 (BPR, TRN, N1, CLP, CAS, SVC, DTM, REF, AMT, LQ, PLB).
 *
 * @param text - the X12 835 interchange
 * @returns one remittance per transaction set
 * @example
 * const [remittance] = read835(await readFile('era.835', 'utf8'));
 * for (const claim of remittance.claims) console.log(claim.patientControlNumber, claim.paidAmount);
 * @category 835
 */
export function read835(text: string): Remittance[] {
  const out: Remittance[] = [];
  let claims: RemittanceClaim[] = [];
  const tok = new X12Tokenizer();
  const parser = new Parser835(() => tok.delims!, {
    claim: (_h, c) => claims.push(c),
    transactionEnd: (h, plb) => {
      const total = plb.reduce((sum, a) => sum + Math.round(a.amount * 100), 0) / 100;
      out.push({ ...structuredClone(h), claims, providerAdjustments: [...plb], providerAdjustmentTotal: total });
      claims = [];
    },
  });
  for (const s of tok.push(text)) parser.segment(s);
  for (const s of tok.end()) parser.segment(s);
  parser.finish();
  return out;
}

/** One claim from a streamed 835 with the payment it belongs to. @category 835 */
export interface RemittanceClaimEvent {
  readonly remittance: RemittanceHeader;
  readonly claim: RemittanceClaim;
}

/**
 * Stream an 835 claim by claim from a Node Readable, web stream or any async iterable of text/bytes.
 * Memory holds one claim plus one partial segment, so multi-gigabyte files are fine.
 *
 * Spec: ASC X12N 835 005010X221A1; the same checks as {@link read835}. Line and claim balancing are checked before a
 * claim is yielded; the transaction rule (BPR02 = ΣCLP04 − ΣPLB) can only be checked at SE, after its claims were
 * yielded — a caller that stores what it reads should use {@link read835} (refused whole) or hold its writes until
 * the stream ends without an error.
 *
 * @param source - a Node Readable, a web stream or any (async) iterable of text or bytes
 * @returns an async generator of one event per claim payment
 * @example
 * import { createReadStream } from 'node:fs';
 * for await (const { remittance, claim } of read835Stream(createReadStream('era.835'))) {
 *   console.log(remittance.trace.number, claim.patientControlNumber, claim.status);
 * }
 * @category 835
 */
export async function* read835Stream(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<RemittanceClaimEvent, void, undefined> {
  const tok = new X12Tokenizer();
  const decoder = new TextDecoder('utf-8');
  const ready: RemittanceClaimEvent[] = [];
  const parser = new Parser835(() => tok.delims!, {
    claim: (remittance, claim) => ready.push({ remittance, claim }),
    transactionEnd: () => undefined,
  });
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (const s of tok.push(text)) parser.segment(s);
    for (let next = ready.shift(); next !== undefined; next = ready.shift()) yield next;
  }
  const tail = decoder.decode();
  for (const s of [...tok.push(tail), ...tok.end()]) parser.segment(s);
  for (let next = ready.shift(); next !== undefined; next = ready.shift()) yield next;
  if (!tok.delims) throw new X12ParseError('input is empty');
  parser.finish();
}
