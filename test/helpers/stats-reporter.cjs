// The spec reporter, plus a JSON file of the run's counts for scripts/run-tests.js.
const { writeFileSync } = require('node:fs');
const Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.ECS_CRD_TEST_STATS;
      if (file) writeFileSync(file, JSON.stringify(this.stats));
    });
  }
}
module.exports = StatsReporter;
