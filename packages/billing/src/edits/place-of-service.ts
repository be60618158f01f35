import { finding, type ItemEdit } from '../internal/item.js';

/** In-person POS must be in the pack's list; telehealth POS must match the modality (GA DBHDD: telephonic UK with POS 02). */
export const placeOfServiceEdit: ItemEdit = {
  code: 'PB-PLACE-OF-SERVICE',
  check: ({ encounter }, { pack }) => {
    const pos = encounter.placeOfService;
    if (encounter.modality === 'in-person') {
      if (pack.placeOfService && !pack.placeOfService.allowed.includes(pos)) {
        return [finding('PB-PLACE-OF-SERVICE', `place of service ${pos} is not in ${pack.id} allowed list`)];
      }
      if (pos === '02' || pos === '10') return [finding('PB-PLACE-OF-SERVICE', `place of service ${pos} is a telehealth code on an in-person service`)];
      return [];
    }
    const t = encounter.modality === 'video' ? pack.telehealth.video : pack.telehealth.audioOnly;
    if (t && !t.placesOfService.includes(pos)) {
      return [finding('PB-PLACE-OF-SERVICE', `${encounter.modality} services bill with place of service ${t.placesOfService.join(' or ')} under ${pack.id}`)];
    }
    return [];
  },
};
