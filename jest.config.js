// Jest runs TypeScript through @swc/jest. NestJS 12 ships ESM-only packages, so their .js files
// (and the ESM packages they pull in) are let through transformIgnorePatterns and compiled to CJS.
const esmPackages = [
  '@nestjs',
  'file-type',
  'load-esm',
  'uid',
  'iterare',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  'cookie',
];

const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: [`node_modules/(?!(.*/)?(${esmPackages.join('|')})/)`],
  moduleNameMapper: { '^@dukao/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  rootDir: __dirname,
};

module.exports = {
  projects: [
    // Unit specs are fast, but the first exceljs or Chromium load in a worker can take seconds under load.
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'],
      testTimeout: 30_000,
    },
    // Integration and end-to-end tests drive whole servers (and child processes) over SQLite files that
    // fsync: on a loaded 2-core machine a journey of many requests outgrows jest's 5 s default.
    {
      ...shared,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      testTimeout: 60_000,
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testTimeout: 60_000 },
  ],
};
