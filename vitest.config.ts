import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,hub,shared,simulators,deploy}/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: integration suites start servers and child processes; keep them from starving.
    maxWorkers: 2,
  },
});
