import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Live-capture and browser tests share the machine's two cores; keep files from fighting over them.
    maxWorkers: 2,
  },
});
