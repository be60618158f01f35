import * as z from 'zod';
import { Activities, Modalities, Programs, Settings, SupportTypes } from '../terminology/codes.js';
import { Address, enumOf, Icd10CmCode, IsoDateTime, Npi, PlaceOfServiceCode, RecordId } from './common.js';

/** One person's part in a peer encounter: who, the diagnoses and plan goals addressed, and the note. @category Domain */
export const Attendee = z.object({
  participantId: RecordId,
  /** ICD-10-CM codes, principal first. */
  diagnoses: z.array(Icd10CmCode).max(12).default([]),
  /** Ids of recovery-plan goals this contact addressed. */
  goalIds: z.array(RecordId).default([]),
  /** The peer's note for this person (PHI). */
  note: z.string().min(1).max(20_000).optional(),
});
export type Attendee = z.infer<typeof Attendee>;

/**
 * Where a contact took place, when the source system names the place (an agency office, a drop-in center, a shelter):
 * mapped to a US Core Location. A participant's home is not a place to name here (its address is the participant's).
 *
 * @example
 * ```ts
 * const where = EncounterLocation.parse({ id: 'loc-downtown', name: 'Downtown drop-in center', address: { line: ['12 Elm St'], city: 'Durham', state: 'NC', postalCode: '27701' } });
 * ```
 * @category Domain
 */
export const EncounterLocation = z.object({
  /** The source system's id of the place (the Location's identifier, scoped to the agency). */
  id: RecordId,
  name: z.string().trim().min(1).max(200),
  address: Address.optional(),
});
export type EncounterLocation = z.infer<typeof EncounterLocation>;

const MAX_ENCOUNTER_MS = 24 * 60 * 60 * 1000;

/**
 * A peer support contact: individual (one attendee) or group (a group id and two or more attendees).
 *
 * @example
 * ```ts
 * const enc = PeerEncounter.parse({
 *   id: 'enc-1', mode: 'individual', attendees: [{ participantId: 'p-1', diagnoses: ['F11.20'] }],
 *   specialistNpi: '1245319599', organizationNpi: '1234567893',
 *   start: '2025-01-14T10:00:00-05:00', end: '2025-01-14T10:52:00-05:00',
 *   modality: 'in-person', setting: 'community', program: 'substance-use',
 *   supportTypes: ['emotional'], activities: ['goal-setting'], placeOfService: '53', part2: true,
 * });
 * ```
 * @category Domain
 */
export const PeerEncounter = z
  .object({
    id: RecordId,
    mode: z.enum(['individual', 'group']),
    groupId: RecordId.optional(),
    attendees: z.array(Attendee).min(1).max(50),
    status: z.enum(['finished', 'cancelled', 'entered-in-error']).default('finished'),
    specialistNpi: Npi,
    supervisorNpi: Npi.optional(),
    organizationNpi: Npi,
    start: IsoDateTime,
    end: IsoDateTime,
    modality: enumOf(Modalities),
    setting: enumOf(Settings),
    program: enumOf(Programs),
    supportTypes: z.array(enumOf(SupportTypes)).default([]),
    activities: z.array(enumOf(Activities)).default([]),
    placeOfService: PlaceOfServiceCode,
    /** The named place of the contact, when the source system has one (US Core Encounter.location). */
    location: EncounterLocation.optional(),
    /** HCPCS code of the service; H0038 unless a pack says otherwise. */
    serviceCode: z.string().regex(/^[A-Z]\d{4}$/, { message: 'must be a HCPCS Level II code' }).default('H0038'),
    /** True when the record comes from a 42 CFR Part 2 program. */
    part2: z.boolean().default(false),
  })
  .superRefine((e, ctx) => {
    const start = Date.parse(e.start);
    const end = Date.parse(e.end);
    if (end <= start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
    else if (end - start > MAX_ENCOUNTER_MS) ctx.addIssue({ code: 'custom', path: ['end'], message: 'encounter is longer than 24 hours' });
    if (e.mode === 'individual' && e.attendees.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['attendees'], message: 'an individual encounter has exactly one attendee' });
    }
    if (e.mode === 'individual' && e.groupId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'an individual encounter has no group id' });
    }
    if (e.mode === 'group') {
      if (e.groupId === undefined) ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'a group encounter needs a group id' });
      if (e.attendees.length < 2) ctx.addIssue({ code: 'custom', path: ['attendees'], message: 'a group encounter has two or more attendees' });
    }
    const seen = new Set<string>();
    e.attendees.forEach((a, i) => {
      if (seen.has(a.participantId)) {
        ctx.addIssue({ code: 'custom', path: ['attendees', i, 'participantId'], message: 'participant appears twice' });
      }
      seen.add(a.participantId);
    });
  });
export type PeerEncounter = z.infer<typeof PeerEncounter>;

/**
 * Minutes between start and end of an encounter.
 *
 * @param e - the encounter's start and end
 * @returns whole minutes between them
 * @example
 * ```ts
 * encounterMinutes({ start: '2025-01-14T10:00:00-05:00', end: '2025-01-14T10:52:00-05:00' }); // 52
 * ```
 * @category Domain
 */
export function encounterMinutes(e: Pick<PeerEncounter, 'start' | 'end'>): number {
  return Math.round((Date.parse(e.end) - Date.parse(e.start)) / 60_000);
}
