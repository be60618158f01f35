import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'mapping/index': 'src/mapping/index.ts', 'profiles/index': 'src/profiles/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // Browser-safe by contract (no I/O, no Node built-ins): built for the browser platform, so a Node built-in fails the
  // build; ES2022 runs on Node 20 and every current browser.
  target: 'es2022',
  platform: 'browser',
  tsconfig: 'tsconfig.build.json',
});
