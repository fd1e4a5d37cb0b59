// Lint rules, including the dependency direction of STYLE.md: only adapters import drivers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const drivers = [
  'better-sqlite3',
  '@kurrent/kurrentdb-client',
  '@eventstore/db-client',
  'mongodb',
  'bullmq',
  'ioredis',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      // Adapters implement a Promise-returning port with synchronous drivers.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: drivers.map((name) => ({
            name,
            message: 'Drivers belong in their adapter files only (STYLE.md §1).',
          })),
        },
      ],
    },
  },
  {
    // The adapters, and the tests and benchmarks that measure or tamper with the raw files.
    files: [
      'libs/event-store/src/sqlite.*.ts',
      'libs/event-store/src/kurrentdb.*.ts',
      'libs/read-model-store/src/sqlite.*.ts',
      'libs/read-model-store/src/mongo.*.ts',
      'libs/notifications/src/**/*.ts',
      'libs/observability/src/sqlite.*.ts',
      'libs/**/*.spec.ts',
      'libs/testing/src/redis-server.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.contract.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
