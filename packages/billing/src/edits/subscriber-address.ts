import { finding, type ItemEdit } from '../internal/item.js';

/**
 * The participant is the subscriber on the claim (the 837P writes SBR02 `18` self), and 005010X222A1 requires the
 * subscriber's address (2010BA N3/N4) when the subscriber is the patient: without one the payer rejects the claim, so
 * the item is held instead of billed.
 */
export const subscriberAddressEdit: ItemEdit = {
  code: 'PB-SUBSCRIBER-ADDRESS',
  check: ({ participant }) =>
    !participant || participant.address
      ? []
      : [finding('PB-SUBSCRIBER-ADDRESS', "no address for the participant, who is the subscriber (837P 2010BA N3/N4 required when the subscriber is the patient)")],
};
