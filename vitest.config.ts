import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The longest files first, so the workers finish together: vitest knows their
 * durations from its cache, but a clean clone (CI) has none, and vitest would
 * then start with the largest files, leaving the fault runs for last. The browser
 * tests come after the simulations: Playwright runs every call in its
 * AsyncLocalStorage, which, once run, keeps its promise hooks on in that worker
 * for every later file (an empty simulated hour 6 to 8 % slower).
 */
class LongestFirst extends BaseSequencer {
  /** In this order, each group longest first; then the rest. */
  static readonly groups = ['/test/integration/faults/', '/test/integration/', '/test/e2e/'];

  override async sort(files: TestSpecification[]) {
    const rank = (file: TestSpecification) => {
      const group = LongestFirst.groups.findIndex((folder) => file.moduleId.includes(folder));
      return group < 0 ? LongestFirst.groups.length : group;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Files that need the project's modules fresh: each sets what a module reads once, when it is first imported
 * (the handlers' log level, the process's one capture of metrics on stdout, installed under the test's own).
 */
const freshModules = ['test/integration/logs.test.ts', 'test/integration/ses-events-records.test.ts', 'test/unit/local-metrics.test.ts'];

export default defineConfig({
  test: {
    // Every core: the suite is CPU-bound simulations, and vitest would leave one core idle for itself.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
    // Integration tests start real servers (dynalite, aws-ses-v2-local) and run long simulations.
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      // A worker keeps the modules it imported from one file to the next: each file would otherwise import and
      // warm up the SDK, dynalite and the handlers again (about 330 s of vitest instead of 285: BENCHMARKS.md).
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: freshModules, isolate: false } },
      { extends: true, test: { name: 'fresh', include: freshModules } },
    ],
  },
});
