import type { ImportKindName } from './record-kind.js';

/**
 * The CSV templates of each import kind, consistent with one another (the same agency staff, participants and
 * March 2025 services), as `peer-fhir init` writes them and docs/templates holds them (a test keeps both equal).
 */
export const IMPORT_TEMPLATES: Readonly<Partial<Record<ImportKindName, string>>> = {
  encounters: `encounter_id,participant_id,participant_family,participant_given,participant_birth_date,participant_gender,medicaid_id,specialist_npi,specialist_family,specialist_given,credential,credential_state,credential_expires,supervisor_npi,start,end,modality,setting,program,group_id,support_types,goal_ids,diagnosis_codes,place_of_service,part2,credential_number,credential_issued,credential_issuer,credential_endorsements,supervisor_family,supervisor_given,coverage_start,coverage_end,activities,service_code,status,participant_address_line,participant_address_line2,participant_city,participant_state,participant_postal_code,location_id,location_name,location_address_line,location_city,location_state,location_postal_code
enc-1001,p-001,Example,Alex,1988-04-02,female,TX000000001,1245319599,Rivera,Sam,CPS,TX,2026-12-31,1003000126,2025-03-04T10:00:00-06:00,2025-03-04T10:52:00-06:00,in-person,community,substance-use,,emotional;informational,goal-1,F11.20,53,true,TX-PS-1001,2023-01-15,Texas Certification Board,SUD,Nguyen,Lee,2024-01-01,,goal-setting,H0038,finished,12 Example Rd,Apt 3,Austin,TX,78701,loc-dropin,Downtown drop-in center,500 Congress Ave,Austin,TX,78701
enc-1002,p-001,Example,Alex,1988-04-02,female,TX000000001,1245319599,Rivera,Sam,CPS,TX,2026-12-31,1003000126,2025-03-05T14:00:00-06:00,2025-03-05T15:30:00-06:00,in-person,clinic,substance-use,grp-7,affiliational,,F11.20,11,true,TX-PS-1001,2023-01-15,Texas Certification Board,SUD,Nguyen,Lee,2024-01-01,,,H0038,finished,12 Example Rd,Apt 3,Austin,TX,78701,loc-clinic,Eastside clinic group room,,,,
enc-1002,p-002,Sample,Jordan,1979-11-20,male,TX000000002,1245319599,Rivera,Sam,CPS,TX,2026-12-31,1003000126,2025-03-05T14:00:00-06:00,2025-03-05T15:30:00-06:00,in-person,clinic,substance-use,grp-7,affiliational,,F10.20;F32.9,11,true,TX-PS-1001,2023-01-15,Texas Certification Board,SUD,Nguyen,Lee,2024-01-01,,,H0038,finished,400 Sample Ave,,Austin,TX,78702,loc-clinic,Eastside clinic group room,,,,
`,
  consents: `consent_id,participant_id,kind,status,purposes,period_start,period_end,signed_date,recipient_kind,recipient_name,recipient_npi,sensitivities,resource_types,revoked_at
c-1001,p-001,part2-tpo,active,treatment;payment;operations,2025-01-02,,2025-01-02,,,,,,
c-1002,p-002,part2-tpo,active,treatment;payment;operations,2025-02-10,,2025-02-10,,,,,,
`,
  plans: `plan_id,participant_id,peer_npi,status,period_start,period_end,review_due,goal_id,goal_text,goal_domain,goal_target_date,goal_status,strengths,crisis_plan,participant_signed_at,peer_signed_at,clinician_npi,clinician_family,clinician_given,clinician_signed_at,part2
plan-1001,p-001,1245319599,active,2025-02-01,,2025-08-01,goal-1,Find a place of my own,housing,2025-07-01,active,Loves to cook;Good listener,Call my sponsor,2025-02-01T10:00:00-06:00,2025-02-01T10:05:00-06:00,,,,,true
plan-1001,p-001,1245319599,active,2025-02-01,,2025-08-01,goal-2,Stay in recovery one day at a time,recovery,,active,Loves to cook;Good listener,Call my sponsor,2025-02-01T10:00:00-06:00,2025-02-01T10:05:00-06:00,,,,,true
plan-1002,p-002,1245319599,active,2025-02-15,,2025-08-15,goal-3,Get back to work,employment,2025-09-01,active,Reliable,Call the crisis line,2025-02-15T09:00:00-06:00,2025-02-15T09:10:00-06:00,,,,,true
`,
  outcomes: `response_id,participant_id,instrument,authored,answers,encounter_id,administered_by_npi,part2
qr-1001,p-001,barc-10,2025-03-04T10:40:00-06:00,q1=3;q2=3;q3=4;q4=3;q5=4;q6=4;q7=3;q8=4;q9=3;q10=4,enc-1001,1245319599,true
qr-1002,p-001,barc-10,2025-03-28T10:40:00-06:00,q1=4;q2=4;q3=5;q4=4;q5=5;q6=5;q7=4;q8=5;q9=4;q10=5,,1245319599,true
qr-1003,p-002,phq-9,2025-03-05T15:35:00-06:00,44250-9=2;44255-8=2;44259-0=1;44254-1=2;44251-7=1;44258-2=1;44252-5=1;44253-3=0;44260-8=0,,1245319599,true
`,
  supervision: `session_id,supervisor_npi,peer_npis,date,minutes,mode,modality,topics
sup-1001,1003000126,1245319599,2025-03-06,60,individual,in-person,boundaries;self-care
sup-1002,1003000126,1245319599,2025-03-20,45,individual,video,documentation
`,
  'continuing-education': `ce_id,peer_npi,date,hours,topic,credential_number,provider
ce-1001,1245319599,2025-02-14,2,Motivational interviewing refresher,TX-PS-1001,Texas Certification Board
ce-1002,1245319599,2025-03-12,6,Ethics in peer support,TX-PS-1001,Texas Certification Board
`,
  'service-orders': `order_id,participant_id,signed_date,signer_npi,codes,expires
so-1001,p-001,2025-02-20,1003000126,H0038,2026-02-19
so-1002,p-002,2025-02-25,1003000126,,
`,
  'prior-authorizations': `authorization_id,participant_id,code,period_start,period_end,units,authorization_number
pa-1001,p-001,H0038,2025-03-01,2025-08-31,96,TXPA0001001
`,
};
