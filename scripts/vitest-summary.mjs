// Prints "N passed, N failed" (", N skipped" when any) from a vitest JSON report.
// A test file that fails to load has no failed tests of its own, so it counts as one failure;
// a missing report or a run of no tests exits non-zero, so an empty run never passes.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no vitest report at ${file}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const unloadedFiles = (report.testResults ?? []).filter(
  (result) => result.status === 'failed' && (result.assertionResults ?? []).length === 0,
);
for (const result of unloadedFiles)
  console.error(`test file failed to load: ${result.name}: ${String(result.message ?? '').split('\n')[0]}`);
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + unloadedFiles.length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) process.exit(1);
