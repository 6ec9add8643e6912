// Prints one plain closing line ("N passed, N failed, N skipped") that CI and humans can read at a glance.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTotalTestSuites, numFailedTestSuites } = results;
    process.stdout.write(
      `\nsuites: ${numTotalTestSuites - numFailedTestSuites}/${numTotalTestSuites} ok\n` +
        `${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped\n`,
    );
  }
}
