import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

/** Three tiers: pure code in node, UI components in happy-dom, the built extension in real browsers. */
export default defineConfig({
  plugins: [preact()],
  test: {
    projects: [
      { extends: true, test: { name: 'unit', environment: 'node', include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'component', environment: 'happy-dom', include: ['tests/component/**/*.test.tsx'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          // Real browsers on a 2-core machine: one at a time, with room for a cold start.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
