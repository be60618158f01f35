import { defineConfig } from 'vitest/config';

// The example's own tests run against the BUILT packages (node_modules/@peer-fhir/* -> packages/*/dist).
export default defineConfig({
  test: { include: ['*.test.mjs'], testTimeout: 30_000 },
});
