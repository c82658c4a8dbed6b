import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/testdata/**', 'hub/src/dashboard/assets/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type instead of an enum.' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Command-line front ends, the demo and benchmarks talk to a person on the terminal.
    files: ['**/main.ts', 'deploy/**', 'bench/**', '**/fleetctl/**', '**/*-cli.ts'],
    rules: { 'no-console': 'off' },
  },
);
