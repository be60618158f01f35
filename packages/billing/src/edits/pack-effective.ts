import { within } from '../internal/dates.js';
import { finding, type ItemEdit } from '../internal/item.js';

/** The date of service must fall within the pack's effective dates (rules are snapshots of a dated source). */
export const packEffectiveEdit: ItemEdit = {
  code: 'PB-PACK-NOT-EFFECTIVE',
  check: ({ dos }, { pack }) =>
    within(dos, pack.effective.start, pack.effective.end)
      ? []
      : [finding('PB-PACK-NOT-EFFECTIVE', `date of service is outside ${pack.id} effective ${pack.effective.start}..${pack.effective.end ?? 'open'}`)],
};
