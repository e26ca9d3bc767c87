import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers (dynalite, aws-ses-v2-local) and run long simulations.
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
