// Prints "N passed, N failed" (", N skipped" when any) summed over Jest-format JSON reports
// (vitest's and Jest's). A test file that fails to load has no failed tests of its own, so it
// counts as one failure; a missing report or a run of no tests exits non-zero.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files.length > 0 ? files : ['reports/vitest.json']) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`no test report at ${file}: ${error.message}`);
    failed += 1;
    continue;
  }
  const unloaded = (report.testResults ?? []).filter(
    (result) => result.status === 'failed' && (result.assertionResults ?? []).length === 0,
  );
  for (const result of unloaded) console.error(`test file failed to load: ${result.name}: ${String(result.message ?? '').split('\n')[0]}`);
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + unloaded.length;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) process.exit(1);
