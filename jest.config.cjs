// One Jest run for every project: unit specs sit beside the code (*.spec.ts),
// end-to-end specs that start real processes are *.e2e-spec.ts.
const swc = ['@swc/jest', { swcrc: true }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/{target-app,chaos,scenarios,bench,.github}/**/*.{spec,e2e-spec}.ts'],
  // The whole-library matrix runs alone, after every other suite (npm test's last step, with
  // ROQUE_LIBRARY_MATRIX=1): its times to detect are measurements, and its cpu fault asks for a
  // whole core, which a neighbour suite on the same 2 cores would take part of.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    ...(process.env.ROQUE_LIBRARY_MATRIX === '1' ? [] : ['/chaos/matrix/library\\.e2e-spec\\.ts$']),
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/.ci/closing-line-reporter.cjs'],
};
