import { finding, type ItemEdit } from '../internal/item.js';

/** Only finished encounters are billable; cancelled or entered-in-error ones are held, never dropped. */
export const encounterStatusEdit: ItemEdit = {
  code: 'PB-ENCOUNTER-STATUS',
  check: ({ encounter }) =>
    encounter.status === 'finished' ? [] : [finding('PB-ENCOUNTER-STATUS', `encounter status is ${encounter.status}, not finished`)],
};
