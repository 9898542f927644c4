// The demo's "training job": logs a run with Model Ledger's own JS logger, one step a second,
// so the Runs view shows a run updating live, for as long as the demo is up (or the number of steps
// given as the second argument). Started and stopped by scripts/demo.mjs.
const path = require('node:path');
const { startRun } = require(path.join(__dirname, '..', 'logger', 'js', 'model-ledger.js'));

const workspace = process.argv[2];
const steps = process.argv[3] === undefined ? Infinity : Number(process.argv[3]);
const run = startRun({ name: 'live-finetune', experiment: 'live-demo', dir: path.join(workspace, 'runs') });
run.logParams({ base_model: 'distilbert-base-uncased', lr: 3e-5, batch_size: 32, scheduler: 'cosine' });
run.setTags({ dataset: 'churn-tickets-v3' });
let step = 0;
const timer = setInterval(() => {
  const loss = 0.7 * Math.exp(-step / 120) + 0.05 + 0.02 * Math.sin(step / 3);
  run.log(step, { loss, val_accuracy: Math.min(0.97, 0.62 + 0.3 * (1 - Math.exp(-step / 150))) });
  if (++step >= steps) {
    clearInterval(timer);
    run.finish('FINISHED');
  }
}, 1000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  run.finish('KILLED');
  process.exit(0);
});
