import { finding, type ItemEdit } from '../internal/item.js';

/** Group sessions within the pack's maximum (TX: 12 per session; NC CCP 8G: facilitator 1:12). */
export const groupSizeEdit: ItemEdit = {
  code: 'PB-GROUP-SIZE',
  check: ({ encounter }, { pack }) => {
    const max = pack.group?.maxSize;
    if (encounter.mode !== 'group' || max === undefined || encounter.attendees.length <= max) return [];
    return [finding('PB-GROUP-SIZE', `group session had ${encounter.attendees.length} attendees; ${pack.id} allows ${max}`)];
  },
};
