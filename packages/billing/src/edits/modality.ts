import { finding, type ItemEdit } from '../internal/item.js';

/** The delivery modality must be allowed (TX 2020 alert: in person only) and carry no modifier the payer rejects (GA: 95). */
export const modalityEdit: ItemEdit = {
  code: 'PB-MODALITY',
  check: ({ encounter }, { pack }) => {
    const t = pack.telehealth;
    if (!t.allowedModalities.includes(encounter.modality)) return [finding('PB-MODALITY', `${encounter.modality} delivery is not billable under ${pack.id}`)];
    const spec = encounter.modality === 'video' ? t.video : encounter.modality === 'audio-only' ? t.audioOnly : undefined;
    const bad = (spec?.modifiers ?? []).filter((m) => t.rejectedModifiers.includes(m));
    return bad.length ? [finding('PB-MODALITY', `modifier ${bad.join(', ')} is rejected by the payer`)] : [];
  },
};
