// Prints vitest's counts as the plain closing line that CI reads, and exits with vitest's status.
import { readFileSync, existsSync } from 'node:fs';

const [report, statusArg] = process.argv.slice(2);
const status = Number(statusArg ?? 1);
if (!report || !existsSync(report)) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(status || 1);
}
const r = JSON.parse(readFileSync(report, 'utf8'));
const passed = r.numPassedTests ?? 0;
const failed = (r.numFailedTests ?? 0) + (status !== 0 && !r.numFailedTests ? 1 : 0);
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : status);
