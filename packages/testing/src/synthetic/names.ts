/**
 * Built-in name lists. Family names are compounds of two nature words (`Cedarbrook`, `Wrenfield`) so that
 * generated people read as clearly fictional; no list holds a real person's data.
 * @module
 */
import type { PersonName } from '@peer-fhir/core';
import type { Random } from './random.js';

const GIVEN_FEMALE = [
  'Ava', 'Bea', 'Carmen', 'Dana', 'Elena', 'Fay', 'Grace', 'Hana', 'Iris', 'Jada', 'Keira', 'Lena', 'Maya', 'Nora',
  'Opal', 'Pia', 'Rosa', 'Sana', 'Tess', 'Uma', 'Vera', 'Wanda', 'Yara', 'Zoe',
] as const;
const GIVEN_MALE = [
  'Abe', 'Ben', 'Caleb', 'Dev', 'Eli', 'Felix', 'Gus', 'Hugo', 'Ivan', 'Jon', 'Kai', 'Leo', 'Mateo', 'Nico', 'Omar',
  'Pete', 'Quinn', 'Ravi', 'Sam', 'Theo', 'Ulises', 'Vic', 'Wes', 'Zane',
] as const;
const GIVEN_NEUTRAL = ['Alex', 'Blair', 'Casey', 'Drew', 'Emery', 'Jordan', 'Kendall', 'Morgan', 'Riley', 'Sky'] as const;
const FAMILY_HEAD = [
  'Alder', 'Ash', 'Birch', 'Bram', 'Cedar', 'Clover', 'Elm', 'Fern', 'Finch', 'Hazel', 'Heron', 'Juniper', 'Lark',
  'Maple', 'Moss', 'Oak', 'Pine', 'Quill', 'Reed', 'Rowan', 'Sage', 'Sorrel', 'Thistle', 'Wren',
] as const;
const FAMILY_TAIL = ['brook', 'dale', 'field', 'ford', 'hollow', 'mere', 'ridge', 'shaw', 'stead', 'vale', 'well', 'wick'] as const;
const STREETS = [
  'Acorn', 'Bluebell', 'Canal', 'Dogwood', 'Eastgate', 'Foxglove', 'Granary', 'Harbor', 'Ivy', 'Kestrel', 'Linden',
  'Meadow', 'Orchard', 'Pebble', 'Quarry', 'Sparrow', 'Tanager', 'Willow',
] as const;
const STREET_KINDS = ['St', 'Ave', 'Rd', 'Ln', 'Ct', 'Way', 'Dr'] as const;

/** A fictional person name; `gender` steers the given name. */
export function personName(rng: Random, gender: 'male' | 'female' | 'other' | 'unknown'): PersonName {
  const list = gender === 'female' ? GIVEN_FEMALE : gender === 'male' ? GIVEN_MALE : GIVEN_NEUTRAL;
  const given = [rng.pick(list)];
  if (rng.chance(0.3)) given.push(rng.pick(rng.chance(0.5) ? GIVEN_NEUTRAL : list));
  return { family: familyName(rng), given };
}

/** A fictional family name. */
export function familyName(rng: Random): string {
  return rng.pick(FAMILY_HEAD) + rng.pick(FAMILY_TAIL);
}

/** A street line such as `418 Kestrel Ln`. */
export function streetLine(rng: Random): string {
  return `${rng.int(10, 9899)} ${rng.pick(STREETS)} ${rng.pick(STREET_KINDS)}`;
}

/** A fictional organisation name with a kind such as `Recovery Collective`. */
export function organizationName(rng: Random, kind: string): string {
  return `${rng.pick(FAMILY_HEAD)}${rng.pick(FAMILY_TAIL)} ${kind}`;
}
