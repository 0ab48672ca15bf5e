// Three suites: unit (pure, fast, parallel), integration (real tools, loop devices, root, serial),
// e2e (Chromium through the loopback bridge, QEMU boots; serial). The three run one after another
// (groupOrder), so loop devices, QEMU and Chromium never compete with each other for the two cores.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          // A few unit tests start the CLI as a subprocess (its first start in a fresh clone builds the bundles)
          // or render the wizard in jsdom: seconds on a busy 2-core machine, not the default 5.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
