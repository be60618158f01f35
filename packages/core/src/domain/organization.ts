import * as z from 'zod';
import { Address, Npi } from './common.js';

/**
 * A billing agency (Type 2 NPI) that employs or contracts peer specialists.
 *
 * @example
 * ```ts
 * const org = Organization.parse({ name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789',
 *   taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Raleigh', state: 'NC', postalCode: '27601' } });
 * ```
 * @category Domain
 */
export const Organization = z.object({
  name: z.string().trim().min(1),
  npi: Npi,
  /** Employer identification number, nine digits. */
  taxId: z.string().regex(/^\d{9}$/, { message: 'must be a nine-digit EIN' }),
  /** NUCC taxonomy of the agency, e.g. 251S00000X Community/Behavioral Health. */
  taxonomy: z.string().regex(/^[0-9A-Z]{9}X$/, { message: 'must be a NUCC taxonomy code' }),
  address: Address,
  phone: z.string().regex(/^\d{10}$/, { message: 'must be 10 digits' }).optional(),
});
export type Organization = z.infer<typeof Organization>;
