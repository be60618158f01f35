import { defineConfig } from 'tsup';

const common = { sourcemap: true, target: 'node20', platform: 'node', tsconfig: 'tsconfig.build.json' } as const;

export default defineConfig([
  { ...common, entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true },
  // The executable: ESM only, with the shebang npm needs to link `peer-fhir`.
  { ...common, entry: { bin: 'src/bin.ts' }, format: ['esm'], banner: { js: '#!/usr/bin/env node' } },
]);
