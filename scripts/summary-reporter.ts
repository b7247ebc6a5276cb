import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Prints the slowest test files and one plain closing line, `tests: N passed, N failed, N skipped`, that CI reads
 * whatever the runner's own summary looks like.
 *
 * With AEGIS_TEST_NO_SKIPS=1 (CI sets it for both passes) a skipped test fails the run: a pass
 * against PostgreSQL or a broker that silently skips what it cannot reach proves nothing.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>) {
    let passed = 0;
    let failed = 0;
    const skipped: TestCase[] = [];
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped.push(test);
      }
      // A file that failed outside its tests (import error, beforeAll) counts as one failure.
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    failed += unhandledErrors.length;
    if (process.env.AEGIS_TEST_NO_SKIPS === '1' && skipped.length > 0) {
      process.stdout.write('\nskipped tests are not allowed in this run (AEGIS_TEST_NO_SKIPS=1):\n');
      for (const test of skipped) process.stdout.write(`  - ${test.module.moduleId}: ${test.fullName}\n`);
      failed += skipped.length;
      process.exitCode = 1;
    }
    // CI must stay under 45 minutes: the slowest files say where the time goes
    const slowest = [...testModules]
      .map((m) => ({ file: path.relative(process.cwd(), m.moduleId), ms: m.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12);
    if (slowest.length > 0) {
      process.stdout.write('\nslowest test files:\n');
      for (const { file, ms } of slowest)
        process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`);
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
