import { finding, type ItemEdit } from '../internal/item.js';
import { buildModifiers } from '../internal/lines.js';

/** The pack must bill the encounter's code for its program and mode, with at most 4 modifiers (837P SV1-01-3..6). */
export const serviceCoveredEdit: ItemEdit = {
  code: 'PB-SERVICE-NOT-COVERED',
  check: (item, state) => {
    const { encounter, service } = item;
    if (!service) {
      return [
        finding('PB-SERVICE-NOT-COVERED', `${state.pack.id} has no billable code for ${encounter.serviceCode} ${encounter.mode} ${encounter.program} services`),
      ];
    }
    const mods = buildModifiers(item, state.pack);
    if (mods.length > 4) return [finding('PB-SERVICE-NOT-COVERED', `the line would need ${mods.length} modifiers; a claim line carries at most 4`)];
    return [];
  },
};
