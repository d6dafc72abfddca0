// One Jest run for every project: unit specs sit beside the code (*.spec.ts),
// end-to-end specs that start real processes are *.e2e-spec.ts.
const swc = ['@swc/jest', { swcrc: true }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/{target-app,chaos,scenarios,bench,.github}/**/*.{spec,e2e-spec}.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/.ci/closing-line-reporter.cjs'],
};
