import { identifierElement } from '../../internal/elements.js';
import { fhirDateToD8 } from '../../internal/format.js';
import { V2_0203_SYSTEM } from '../../internal/systems.js';
import type { NormalizeStep } from './context.js';
import { address, personName } from './fields.js';

/**
 * 2010BA NM1*IL / N3 / N4 / DMG: the subscriber (who is the patient: SBR02 18, no 2000C loop) has a name, a full birth
 * date (DMG02) and an address — TR3: N3/N4 are required when the subscriber is the patient, so always here. DMG03 is
 * M, F or U (unknown) from the administrative gender.
 */
export const subscriberStep: NormalizeStep = ({ input, issues, path }, draft) => {
  const sub = input.subscriber;
  const subPath = path('subscriber');
  if (!sub) issues.push({ path: subPath, message: 'required' });
  const name = sub ? personName(sub.name, subPath, issues) : undefined;
  const birthDate = fhirDateToD8(sub?.birthDate);
  if (sub && !birthDate) issues.push({ path: `${subPath}.birthDate`, message: 'required as a full date (DMG02)' });
  draft.gender = sub?.gender === 'male' ? 'M' : sub?.gender === 'female' ? 'F' : 'U';
  const subAddress = sub ? address(sub.address, subPath, issues, { required: true, zip9: false }) : undefined;
  if (name) draft.subscriberName = name;
  if (birthDate) draft.birthDate = birthDate;
  if (subAddress) draft.subscriberAddress = subAddress;
};

/**
 * 2000B SBR + 2010BA NM109: the coverage gives the member id (Coverage.subscriberId, else the identifier typed `MB`,
 * v2-0203 member number), sent as given. Only `self` is supported: the 2000C patient loop is not written.
 */
export const memberStep: NormalizeStep = ({ input, issues, path }, draft) => {
  const cov = input.coverage;
  const covPath = path('coverage');
  if (!cov) issues.push({ path: covPath, message: 'required' });
  const memberId =
    cov?.subscriberId ??
    cov?.identifier?.find((i) => i.type?.coding?.some((c) => c.system === V2_0203_SYSTEM && c.code === 'MB') && i.value)?.value ??
    '';
  draft.memberId = cov ? (identifierElement(memberId, `${covPath}.subscriberId`, '2010BA NM109 member id', 2, 80, issues) ?? '') : '';
  const rel = cov?.relationship?.coding?.find((c) => c.code)?.code;
  if (cov && rel !== undefined && rel !== 'self') {
    issues.push({ path: `${covPath}.relationship`, message: "only 'self' is supported (2000C patient loop is not written)" });
  }
};
