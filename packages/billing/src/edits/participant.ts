import { finding, type ItemEdit } from '../internal/item.js';

/** The attendee must have a participant record (name, birth date and coverage come from it). */
export const participantEdit: ItemEdit = {
  code: 'PB-PARTICIPANT-UNKNOWN',
  check: ({ participant }) => (participant ? [] : [finding('PB-PARTICIPANT-UNKNOWN', 'no participant record for this attendee')]),
};
