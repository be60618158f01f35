import { isValidNpi } from '@peer-fhir/core';
import type { Claim, PractitionerRole } from 'fhir/r4.js';
import { taxonomyElement } from '../../internal/elements.js';
import { CARE_TEAM_ROLE_SYSTEM, NPI_SYSTEM, NUCC_SYSTEM } from '../../internal/systems.js';
import type { NormalizeStep } from './context.js';
import { codingIn, identifierIn, npiOf, personName } from './fields.js';

/** The NUCC taxonomy of the primary care-team member's qualification, else of the PractitionerRole's specialty or code. */
function renderingTaxonomy(claim: Claim, role: PractitionerRole | undefined): string | undefined {
  const primaryCare =
    claim.careTeam?.find((c) => c.role?.coding?.some((x) => x.system === CARE_TEAM_ROLE_SYSTEM && x.code === 'primary')) ??
    claim.careTeam?.[0];
  return (
    codingIn(primaryCare?.qualification, [NUCC_SYSTEM])?.code ??
    role?.specialty?.map((s) => codingIn(s, [NUCC_SYSTEM])).find((c) => c)?.code ??
    role?.code?.map((s) => codingIn(s, [NUCC_SYSTEM])).find((c) => c)?.code
  );
}

/**
 * 2310B NM1*82 + PRV*PE: the rendering provider (the peer) has a name and a valid NPI, from the Practitioner or else its
 * PractitionerRole. PRV is situational (TR3: required when adjudication is known to be impacted by the taxonomy): a
 * peer's taxonomy (175T00000X) is always sent; a rendering practitioner with no taxonomy on file gets no PRV.
 */
export const renderingStep: NormalizeStep = ({ input, claim, issues, path }, draft) => {
  const rPath = path('rendering');
  const practitioner = input.rendering?.practitioner;
  if (!practitioner) issues.push({ path: `${rPath}.practitioner`, message: 'required' });
  const name = practitioner ? personName(practitioner.name, `${rPath}.practitioner`, issues) : undefined;
  const npi = practitioner
    ? (identifierIn(practitioner.identifier, [NPI_SYSTEM]) ?? identifierIn(input.rendering.practitionerRole?.identifier, [NPI_SYSTEM]))
    : undefined;
  if (practitioner && !npi) issues.push({ path: `${rPath}.practitioner.identifier(${NPI_SYSTEM})`, message: 'NPI required' });
  else if (npi && !isValidNpi(npi)) {
    issues.push({ path: `${rPath}.practitioner.identifier(${NPI_SYSTEM})`, message: 'NPI must be 10 digits with a valid check digit' });
  }
  const taxonomyCode = renderingTaxonomy(claim, input.rendering?.practitionerRole);
  const taxonomy = taxonomyElement(taxonomyCode, `${rPath}.practitionerRole.specialty(${NUCC_SYSTEM})`, '2310B PRV03', issues);
  if (npi) draft.renderingNpi = npi;
  if (name && npi) draft.rendering = { ...name, npi, ...(taxonomy ? { taxonomy } : {}) };
};

/**
 * 2310D NM1*DQ: an optional supervising provider has a name and a valid NPI, and is not the rendering provider (TR3:
 * omit 2310D when they are the same person).
 */
export const supervisingStep: NormalizeStep = ({ input, issues, path }, draft) => {
  if (!input.supervising) return;
  const sPath = path('supervising');
  const name = personName(input.supervising.name, sPath, issues);
  const npi = npiOf(input.supervising.identifier, sPath, issues);
  if (npi && draft.renderingNpi && npi === draft.renderingNpi) {
    issues.push({ path: sPath, message: 'must differ from the rendering provider (omit 2310D instead)' });
  }
  if (name && npi) draft.supervising = { ...name, npi };
};
