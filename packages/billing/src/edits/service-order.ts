import { finding, type ItemEdit } from '../internal/item.js';

/** NC CCP 8G: a service order signed by a physician or licensed clinician prior to or on the first day of service. */
export const serviceOrderEdit: ItemEdit = {
  code: 'PB-SERVICE-ORDER',
  check: ({ participant, encounter, dos }, { pack, ctx }) => {
    if (!pack.artefacts.serviceOrder?.required || !participant) return [];
    const ok = (ctx.serviceOrders ?? []).some(
      (o) =>
        o.participantId === participant.id &&
        o.signedDate <= dos &&
        (o.expires === undefined || dos <= o.expires) &&
        (o.codes === undefined || o.codes.includes(encounter.serviceCode)),
    );
    return ok ? [] : [finding('PB-SERVICE-ORDER', 'no service order signed on or before the date of service covers it')];
  },
};
