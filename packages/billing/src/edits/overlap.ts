import { finding, type ItemEdit } from '../internal/item.js';

/** No two services for the same participant at the same time (TX: not simultaneous with other BH services). */
export const overlapEdit: ItemEdit = {
  code: 'PB-OVERLAP',
  check: ({ key }, { overlaps }) => (overlaps.has(key) ? [finding('PB-OVERLAP', 'overlaps another service for the same participant')] : []),
};
