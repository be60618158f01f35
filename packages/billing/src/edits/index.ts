/** The item edits in the order they run. Caps, prior authorization and unit minimums run later, on computed units. @internal */
import type { ItemEdit } from '../internal/item.js';
import { ageEdit } from './age.js';
import { consentPart2Edit } from './consent-part2.js';
import { coverageEdit } from './coverage.js';
import { credentialEdit } from './credential.js';
import { diagnosisEdit } from './diagnosis.js';
import { duplicateEdit } from './duplicate.js';
import { eligibilityEdit } from './eligibility.js';
import { eligibilityStaleEdit } from './eligibility-stale.js';
import { encounterStatusEdit } from './encounter-status.js';
import { groupSizeEdit } from './group-size.js';
import { modalityEdit } from './modality.js';
import { overlapEdit } from './overlap.js';
import { packEffectiveEdit } from './pack-effective.js';
import { participantEdit } from './participant.js';
import { placeOfServiceEdit } from './place-of-service.js';
import { planEdit } from './plan.js';
import { serviceCoveredEdit } from './service-covered.js';
import { serviceOrderEdit } from './service-order.js';
import { subscriberAddressEdit } from './subscriber-address.js';
import { supervisorEdit } from './supervisor.js';

export const ITEM_EDITS: readonly ItemEdit[] = [
  duplicateEdit,
  encounterStatusEdit,
  participantEdit,
  packEffectiveEdit,
  serviceCoveredEdit,
  coverageEdit,
  subscriberAddressEdit,
  eligibilityEdit,
  eligibilityStaleEdit,
  ageEdit,
  consentPart2Edit,
  planEdit,
  serviceOrderEdit,
  credentialEdit,
  supervisorEdit,
  diagnosisEdit,
  placeOfServiceEdit,
  modalityEdit,
  groupSizeEdit,
  overlapEdit,
];
