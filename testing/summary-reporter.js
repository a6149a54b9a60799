/**
 * Prints one plain closing line, "N passed, N failed[, N skipped]", after everything Jest prints,
 * so that CI (which reads the last lines of the run) sees the totals in a runner-neutral form.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const tail = skipped > 0 ? `, ${skipped} skipped` : "";
    const line = `${results.numPassedTests} passed, ${failed} failed${tail}\n`;
    // Jest writes its own summary to stderr after the reporters run; print ours last, at exit.
    process.once("exit", () => process.stdout.write(`\n${line}`));
  }
}
module.exports = SummaryReporter;
