import { ageOn } from '../internal/dates.js';
import { finding, type ItemEdit } from '../internal/item.js';

/** Age on the date of service within the pack bounds (TX: 21+, 1 TAC §354.3003; NJ: 18+). */
export const ageEdit: ItemEdit = {
  code: 'PB-AGE',
  check: ({ participant, dos }, { pack }) => {
    const rule = pack.age;
    if (!rule || !participant) return [];
    const age = ageOn(participant.birthDate, dos);
    if (rule.minYears !== undefined && age < rule.minYears) return [finding('PB-AGE', `participant is younger than ${rule.minYears} on the date of service`)];
    if (rule.maxYears !== undefined && age > rule.maxYears) return [finding('PB-AGE', `participant is older than ${rule.maxYears} on the date of service`)];
    return [];
  },
};
