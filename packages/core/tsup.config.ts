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
  // zod is bundled into core's JavaScript (issue 18, B6): loading zod's ~95 module files through Node's ESM loader was
  // most of a cold import. The declarations still import zod's types from the `zod` dependency.
  noExternal: ['zod'],
});
