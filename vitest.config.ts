import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests run against each package's source; the pack smoke test covers the built output.
export default defineConfig({
  resolve: {
    alias: {
      '@peer-fhir/core/mapping': fileURLToPath(new URL('./packages/core/src/mapping/index.ts', import.meta.url)),
      '@peer-fhir/core/profiles': fileURLToPath(new URL('./packages/core/src/profiles/index.ts', import.meta.url)),
      '@peer-fhir/core': pkg('core'),
      '@peer-fhir/client/testing': fileURLToPath(new URL('./packages/client/src/testing/index.ts', import.meta.url)),
      '@peer-fhir/client': pkg('client'),
      '@peer-fhir/billing': pkg('billing'),
      '@peer-fhir/x12/testing': fileURLToPath(new URL('./packages/x12/src/testing/index.ts', import.meta.url)),
      '@peer-fhir/x12': pkg('x12'),
      '@peer-fhir/server/validation': fileURLToPath(new URL('./packages/server/src/validation/index.ts', import.meta.url)),
      '@peer-fhir/server': pkg('server'),
      // Before '@peer-fhir/testing': an alias also matches as a prefix.
      '@peer-fhir/testing/synthetic': fileURLToPath(new URL('./packages/testing/src/synthetic/index.ts', import.meta.url)),
      '@peer-fhir/testing': pkg('testing'),
      '@peer-fhir/cli': pkg('cli'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
