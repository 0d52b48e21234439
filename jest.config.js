/** Jest runs the TypeScript sources as ES modules through ts-jest (transpile only: `npm run build` type-checks). */
export default {
  // Quiet: what a test writes to stdout is shown only when it fails (test/quiet-environment.mjs).
  testEnvironment: '<rootDir>/test/quiet-environment.mjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // @actions/workflow-parser's schemas, imported without an import attribute (test/lib/parser-json.cjs).
    '^\\.\\./(workflow|action)-v1\\.0\\.min\\.json$': '<rootDir>/test/lib/$1-schema.cjs',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: [
    '<rootDir>/packages/*/test/**/*.test.ts',
    '<rootDir>/actions/*/test/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
  ],
  testTimeout: 120_000,
  maxWorkers: 2,
};
