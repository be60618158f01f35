import { defineConfig } from 'tsup';

export default defineConfig({
  // `synthetic` is its own entry so that a program can use the generators without msw (an optional peer dependency).
  entry: ['src/index.ts', 'src/synthetic/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
});
