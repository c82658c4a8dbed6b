import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const TESTS = ['**/*.test.ts', 'test/**'];

/**
 * The rooms of the tree and what each may import (docs/architecture.md, "Import rules"). Paths
 * are resolved, so a rule holds however many `../` an import climbs.
 */
const productionZones = [
  {
    target: './agent/src',
    from: './hub',
    message: 'The agent never imports the hub: code both need lives in shared/.',
  },
  {
    target: './hub/src',
    from: './agent',
    message: 'The hub never imports the agent: code both need lives in shared/.',
  },
  {
    target: './shared/src',
    from: ['./agent', './hub', './simulators'],
    message: 'shared/ is the common ground of agent and hub: it imports neither, nor the simulators.',
  },
  {
    target: ['./agent/src', './hub/src', './shared/src'],
    from: ['./simulators', './test', './bench', './deploy'],
    message: 'Production code never imports simulators, tests, benchmarks or the demo.',
  },
  {
    target: './simulators/src',
    from: ['./test', './bench', './deploy'],
    message: 'The simulators are a product feature: they never import tests, benchmarks or the demo.',
  },
  {
    target: './agent/src/ports',
    from: './agent/src',
    except: ['./ports', './core'],
    message: 'Ports are interfaces over core types: they import only core/ and shared/.',
  },
  {
    target: './hub/src/ports',
    from: './hub/src',
    except: ['./ports', './core'],
    message: 'Ports are interfaces over core types: they import only core/ and shared/.',
  },
  {
    target: './hub/src/fleetctl',
    from: './hub/src',
    except: ['./fleetctl', './core'],
    message: 'fleetctl talks to the hub over HTTP: it uses the API schemas in shared/, never server internals.',
  },
];

/** The pure core, tests included: decisions on plain data, built only from shared/ and itself. */
const CORE_MESSAGE = 'core/ imports only shared/ and its own core: no ports, adapters or shells.';
const coreZones = ['agent', 'hub'].flatMap((app) => [
  { target: `./${app}/src/core`, from: `./${app}/src`, except: ['./core'], message: CORE_MESSAGE },
  { target: `./${app}/src/core`, from: [app === 'agent' ? './hub' : './agent', './simulators', './test'], message: CORE_MESSAGE },
]);

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
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      // An import that does not resolve would slip past the boundary rules below.
      'import-x/no-unresolved': 'error',
      'import-x/no-restricted-paths': ['error', { zones: coreZones }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: TESTS,
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...coreZones, ...productionZones] }] },
  },
  {
    // Command-line front ends, the demo and benchmarks talk to a person on the terminal.
    files: ['**/main.ts', 'deploy/**', 'bench/**', '**/fleetctl/**', '**/*-cli.ts'],
    rules: { 'no-console': 'off' },
  },
);
