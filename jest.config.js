// NestJS 12 ships ESM only, so jest runs in ESM mode (--experimental-vm-modules, see package.json).
// ts-jest transpiles per file (isolatedModules); `npm run typecheck` does the type checking.
// Jest's CommonJS loader cannot require() ESM-only packages on Node 20 (Node itself can), so the few such
// packages that CommonJS dependencies require (content-disposition, via @fastify/static) are compiled to CJS.
const ESM_ONLY_REQUIRED_FROM_CJS = ['content-disposition'];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json', diagnostics: false }],
    [`/node_modules/(${ESM_ONLY_REQUIRED_FROM_CJS.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { useESM: false, diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_REQUIRED_FROM_CJS.join('|')})/)`],
  testMatch: ['<rootDir>/{src,test}/**/*.{spec,db-spec,e2e-spec}.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.mjs'],
  maxWorkers: 2,
  testTimeout: 60_000,
};
