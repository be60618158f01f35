import { Random } from '@peer-fhir/testing/synthetic';

/**
 * A seeded source of numbers in [0, 1), so fault injection and kill points are reproducible for a given seed. The
 * generator is @peer-fhir/testing's `Random` (one PRNG in the repository).
 */
export function seededRandom(seed: number): () => number {
  const rng = new Random(seed);
  return () => rng.next();
}
