import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'validation/index': 'src/validation/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // import.meta.url in the CommonJS build: the validation entry finds the US Core subset shipped next to it.
  shims: true,
  tsconfig: 'tsconfig.build.json',
});
