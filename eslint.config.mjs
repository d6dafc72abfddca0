// ESLint: a small, type-aware rule set for bugs the compiler does not catch (promises nobody
// awaits, `==`, unused code, type-only imports that would load a module). Formatting is
// Prettier's (`npm run format`), not ESLint's.
import tseslint from 'typescript-eslint';

const unusedVars = [
  'error',
  { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'reports/', 'bench/results/', 'coverage/', '.roque/'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // The Node code, the k6 scenarios, and their specs (k6 and Jest types).
        project: ['./tsconfig.json', './scenarios/tsconfig.json', './scenarios/tsconfig.spec.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': unusedVars,
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { sourceType: 'module', ecmaVersion: 'latest' },
    rules: { 'no-unused-vars': unusedVars, eqeqeq: ['error', 'always', { null: 'ignore' }] },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
);
