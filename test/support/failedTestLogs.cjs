// A jest reporter: for each test file that failed, prints the end of the log its code wrote
// (test/support/stack.ts `testLogger`), which a green run never shows. Plain JavaScript: jest
// loads reporters without the TypeScript transform.
const fs = require('node:fs');
const path = require('node:path');

const TAIL_LINES = 200;
const root = path.resolve(__dirname, '../..');
const logFileOf = (testPath) => path.join(root, 'test-output', 'logs', `${path.relative(root, testPath)}.log`);

class FailedTestLogs {
  onTestStart(test) {
    // Each run starts its file afresh, so a failure shows only what this run logged.
    fs.rmSync(logFileOf(test.path), { force: true });
  }

  onTestResult(test, result) {
    if (result.numFailingTests === 0 && !result.testExecError) return;
    const file = logFileOf(test.path);
    if (!fs.existsSync(file)) return;
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const shown = lines.slice(-TAIL_LINES);
    process.stderr.write(`\n--- ${path.relative(root, file)} (last ${shown.length} of ${lines.length} lines)\n${shown.join('\n')}\n---\n`);
  }
}

module.exports = FailedTestLogs;
