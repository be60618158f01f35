import { defineConfig } from 'tsup';

export default defineConfig({
  // `testing` is its own entry: test-only builders stay out of the main public surface.
  entry: ['src/index.ts', 'src/testing/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
});
