import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'profiles/index': 'src/profiles/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
});
