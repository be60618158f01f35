/**
 * The patient control number (837P CLM01): a short, deterministic id of one claim group.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

// Base32 "extended hex" (RFC 4648 section 7): digits and upper-case letters only, so a payer that upper-cases CLP01
// returns the same value, and no X12 delimiter can appear.
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** Characters of a patient control number: the 20 a payer is obliged to return in 835 CLP01 (TR3 CLM01 note). */
export const PATIENT_CONTROL_NUMBER_LENGTH = 20;

/** The first `chars` base32 digits (5 bits each) of `bytes`. */
function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
    if (out.length === chars) break;
  }
  return out;
}

/**
 * The patient control number of a claim group: the first 100 bits of SHA-256 over the group key, as 20 base32
 * characters (`0-9`, `A-V`). The same group always gets the same number (billing again finds its claim); two groups
 * share one with probability about n²/2¹⁰¹ for n claims. It is stored as the Claim's identifier, so an 835 CLP01,
 * 277CA or 999 that returns it (upper-cased or not) maps back to exactly one claim.
 *
 * @param groupKey - the claim group's key
 * @returns a 20-character CLM01 patient control number
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.identifier
 * @example
 * ```ts
 * patientControlNumber('1234567893|p-1|MCD01|M123|2019-01-01|2025-01'); // 20 characters of 0-9 and A-V
 * ```
 * @category Claims
 */
export function patientControlNumber(groupKey: string): string {
  return base32(sha256(utf8ToBytes(groupKey)), PATIENT_CONTROL_NUMBER_LENGTH);
}
