import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `aegis-source` export condition.
const conditions = ['aegis-source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // The kill -9 test runs on the embedded database only: against PostgreSQL, with other files in
    // parallel, its restarted process once stalled (under investigation; see issue 6 notes).
    exclude:
      process.env.AEGIS_TEST_DB === 'pg'
        ? ['**/node_modules/**', 'packages/server/src/modules/ingest/crash.test.ts']
        : ['**/node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
