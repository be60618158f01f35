import { defineConfig } from 'tsup';

// fhir-kit-client is ESM-only: the CJS build inlines it so `require('@peer-fhir/client')` works.
const common = {
  // `testing` is its own entry: test hooks stay out of the main public surface.
  entry: ['src/index.ts', 'src/testing/index.ts'],
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
} as const;

export default defineConfig([
  { ...common, format: ['esm'], dts: true },
  { ...common, format: ['cjs'], dts: true, noExternal: ['fhir-kit-client'] },
]);
