import { finding, type ItemEdit } from '../internal/item.js';

/** The participant needs coverage (the pack's payer, or `context.payerId`) active on the date of service. */
export const coverageEdit: ItemEdit = {
  code: 'PB-COVERAGE',
  check: ({ participant, coverage }, { ctx }) =>
    !participant || coverage
      ? []
      : [finding('PB-COVERAGE', ctx.payerId ? `no coverage with payer ${ctx.payerId} on the date of service` : 'no coverage on the date of service')],
};
