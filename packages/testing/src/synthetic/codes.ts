/**
 * Clinical and billing code choices: diagnoses by program, setting/place-of-service pairs by modality,
 * support types and activities.
 * @module
 */
import type { Activities, Modalities, Programs, Settings, SupportTypes } from '@peer-fhir/core';
import { Weights, type Random } from './random.js';

/** Program code of an encounter. */
export type Program = keyof typeof Programs;
/** Modality code of an encounter. */
export type Modality = keyof typeof Modalities;
/** Setting code of an encounter. */
export type Setting = keyof typeof Settings;
/** Support-type code. */
export type SupportType = keyof typeof SupportTypes;
/** Activity code. */
export type Activity = keyof typeof Activities;

/** ICD-10-CM F10–F19: mental and behavioural disorders due to psychoactive substance use. */
export const SUD_DIAGNOSES = ['F10.20', 'F10.10', 'F11.20', 'F11.21', 'F12.20', 'F12.10', 'F13.20', 'F14.20', 'F15.20', 'F16.20', 'F19.20'] as const;
/** ICD-10-CM F20–F48: schizophrenia spectrum, mood, anxiety and stress-related disorders. */
export const MH_DIAGNOSES = ['F20.9', 'F25.0', 'F31.9', 'F31.81', 'F32.1', 'F32.9', 'F33.1', 'F33.2', 'F40.10', 'F41.0', 'F41.1', 'F42.2', 'F43.10', 'F43.12'] as const;

/** One to three diagnoses for a program, principal first (domain.md §1.6). */
export function diagnosesFor(rng: Random, program: Program): string[] {
  if (program === 'substance-use') {
    const dx = [rng.pick(SUD_DIAGNOSES)];
    if (rng.chance(0.25)) dx.push(rng.pick(SUD_DIAGNOSES));
    return [...new Set(dx)];
  }
  if (program === 'mental-health') {
    const dx = rng.sample(MH_DIAGNOSES, rng.chance(0.35) ? 2 : 1);
    return dx;
  }
  const sud = rng.pick(SUD_DIAGNOSES);
  const mh = rng.pick(MH_DIAGNOSES);
  return rng.chance(0.5) ? [sud, mh] : [mh, sud];
}

/** A setting with its place-of-service code (domain.md §1.7). */
export interface Place {
  setting: Setting;
  placeOfService: string;
}

const IN_PERSON_SETTINGS = new Weights<Setting>({
  community: 30,
  home: 20,
  clinic: 22,
  'peer-run-center': 8,
  'shelter-housing': 6,
  'emergency-department': 4,
  'crisis-stabilization': 4,
  'correctional-reentry': 4,
  inpatient: 2,
});
const MODALITIES = new Weights<Modality>({ 'in-person': 78, video: 15, 'audio-only': 7 });

/** Where an individual contact happens, given how it is delivered. POS 02/10 = telehealth away from/at home. */
export function individualPlace(rng: Random, modality: Modality): Place {
  if (modality === 'video') {
    return rng.chance(0.75) ? { setting: 'home', placeOfService: '10' } : { setting: rng.pick(['clinic', 'community'] as const), placeOfService: '02' };
  }
  if (modality === 'audio-only') {
    const r = rng.next();
    if (r < 0.55) return { setting: 'home', placeOfService: '10' };
    if (r < 0.85) return { setting: 'warm-line', placeOfService: rng.chance(0.7) ? '10' : '02' };
    return { setting: 'community', placeOfService: '02' };
  }
  const setting = rng.choose(IN_PERSON_SETTINGS);
  return { setting, placeOfService: inPersonPos(rng, setting) };
}

/** Place-of-service code of an in-person contact in a setting. */
export function inPersonPos(rng: Random, setting: Setting): string {
  switch (setting) {
    case 'home':
      return '12';
    case 'community':
      return rng.chance(0.8) ? '99' : '15';
    case 'clinic':
      return rng.chance(0.7) ? '53' : '11';
    case 'emergency-department':
      return '23';
    case 'inpatient':
      return '21';
    case 'shelter-housing':
      return '04';
    case 'crisis-stabilization':
      return rng.chance(0.6) ? '53' : '99';
    case 'correctional-reentry':
    case 'peer-run-center':
    case 'warm-line':
      return '99';
  }
}

/** Delivery of an individual contact: mostly in person. */
export function pickModality(rng: Random): Modality {
  return rng.choose(MODALITIES);
}

const SUPPORT_TYPES: readonly SupportType[] = ['emotional', 'informational', 'instrumental', 'affiliational'];
const ACTIVITIES: readonly Activity[] = [
  'advocacy', 'system-navigation', 'resource-linkage', 'skill-building', 'goal-setting', 'community-integration', 'crisis-planning', 'self-disclosure',
];

/** One to three support types. */
export function pickSupportTypes(rng: Random, group: boolean): SupportType[] {
  const picked = rng.sample(SUPPORT_TYPES, rng.int(1, 3));
  if (group && !picked.includes('affiliational')) picked.push('affiliational');
  return SUPPORT_TYPES.filter((t) => picked.includes(t));
}

/** One to three activities; crisis settings always include crisis planning. */
export function pickActivities(rng: Random, setting: Setting): Activity[] {
  const picked = rng.sample(ACTIVITIES, rng.int(1, 3));
  if ((setting === 'crisis-stabilization' || setting === 'emergency-department') && !picked.includes('crisis-planning')) {
    picked.push('crisis-planning');
  }
  return ACTIVITIES.filter((a) => picked.includes(a));
}

/**
 * Minutes of an individual contact: 5–120, most 30–60; about 6% under 8 minutes so the 8-minute rule
 * (CMS Claims Processing Manual ch. 5 §20.2) has cases to refuse; many snapped to quarter hours as people record them.
 */
export function individualMinutes(rng: Random): number {
  const r = rng.next();
  if (r < 0.06) return rng.int(5, 7);
  let m: number;
  if (r < 0.24) m = rng.int(8, 29);
  else if (r < 0.78) m = rng.int(30, 60);
  else if (r < 0.95) m = rng.int(61, 90);
  else m = rng.int(91, 120);
  if (rng.chance(0.4)) m = Math.min(120, Math.max(15, Math.round(m / 15) * 15));
  return m;
}
