import { finding, type ItemEdit } from '../internal/item.js';

/** A supervisor on record when the pack requires supervision (NC CCP 8G: QP-directed; Medicare PIN-PS: incident-to). */
export const supervisorEdit: ItemEdit = {
  code: 'PB-SUPERVISOR',
  check: ({ encounter, specialist }, { pack }) => {
    if (!pack.supervision?.required) return [];
    return encounter.supervisorNpi || specialist?.supervisor ? [] : [finding('PB-SUPERVISOR', 'no supervisor is assigned to the rendering peer')];
  },
};
