import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The longest files first, so the workers finish together: vitest knows their
 * durations from its cache, but a clean clone (CI) has none, and vitest would
 * then start with the largest files, leaving the fault runs for last.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const rank = (file: TestSpecification) => (file.moduleId.includes('/faults/') ? 0 : /\/test\/(integration|e2e)\//.test(file.moduleId) ? 1 : 2);
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every core: the suite is CPU-bound simulations, and vitest would leave one core idle for itself.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
    // Integration tests start real servers (dynalite, aws-ses-v2-local) and run long simulations.
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
