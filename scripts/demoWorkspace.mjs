// Writes a realistic demo workspace: what a repo looks like after a few days of training with
// MLflow (file store), PyTorch Lightning's CSVLogger and DVCLive. Deterministic (seeded), so the
// demo and the screenshots look the same every time.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = (v) => Math.fround(v);
const hex = (random, n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

function write(file, content) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function yamlLine(key, value) {
  if (value === null) return `${key}: null`;
  if (typeof value === 'number') return `${key}: ${value}`;
  if (Array.isArray(value)) return `${key}: []`;
  return `${key}: ${value === '' ? "''" : /^[\w./:-]+$/.test(value) && !/^\d+$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`}`;
}

/** One MLflow experiment with runs, in the file-store layout MLflow 2.x writes. */
function mlflowExperiment(root, { id, name, runs, random, start }) {
  const expDir = path.join(root, 'mlruns', String(id));
  write(
    path.join(expDir, 'meta.yaml'),
    [yamlLine('artifact_location', `file://${path.join(expDir)}`), yamlLine('creation_time', start), yamlLine('experiment_id', String(id)), yamlLine('last_update_time', start), yamlLine('lifecycle_stage', 'active'), yamlLine('name', name)].join('\n') + '\n',
  );
  let clock = start;
  const created = [];
  for (const run of runs) {
    const runId = hex(random, 32);
    created.push({ name: run.name, runId });
    const runDir = path.join(expDir, runId);
    const steps = run.steps;
    const startTime = clock;
    const stepMs = 900 + Math.floor(random() * 400);
    const finished = run.status !== 1;
    const endTime = finished ? startTime + steps * stepMs : null;
    clock += steps * stepMs + 60_000;
    write(
      path.join(runDir, 'meta.yaml'),
      [
        yamlLine('artifact_uri', `file://${path.join(runDir, 'artifacts')}`),
        yamlLine('end_time', endTime),
        yamlLine('entry_point_name', ''),
        yamlLine('experiment_id', String(id)),
        yamlLine('lifecycle_stage', 'active'),
        yamlLine('run_id', runId),
        yamlLine('run_name', run.name),
        yamlLine('run_uuid', runId),
        yamlLine('source_name', ''),
        yamlLine('source_type', 4),
        yamlLine('source_version', ''),
        yamlLine('start_time', startTime),
        yamlLine('status', run.status),
        'tags: []',
        yamlLine('user_id', 'ada'),
      ].join('\n') + '\n',
    );
    for (const [key, value] of Object.entries(run.params)) write(path.join(runDir, 'params', key), String(value));
    const tags = { 'mlflow.runName': run.name, 'mlflow.user': 'ada', 'mlflow.source.name': 'train.py', 'mlflow.source.type': 'LOCAL', 'mlflow.source.git.commit': hex(random, 40), ...(run.tags ?? {}) };
    for (const [key, value] of Object.entries(tags)) write(path.join(runDir, 'tags', key), value);
    const lr = Number(run.params.learning_rate);
    const quality = run.quality;
    const lines = { 'train/loss': [], val_loss: [], val_accuracy: [], learning_rate: [] };
    for (let step = 0; step < steps; step++) {
      const t = startTime + step * stepMs;
      const progress = step / 200;
      const loss = f32(2.3 * Math.exp(-progress * quality * 3) + 0.08 / quality + (random() - 0.5) * 0.05);
      lines['train/loss'].push(`${t} ${loss} ${step}`);
      if (step % 10 === 9) {
        const valLoss = f32(loss * 1.08 + 0.02 + (random() - 0.5) * 0.03);
        const acc = f32(Math.min(0.995, 0.5 + 0.45 * (1 - Math.exp(-progress * quality * 2.5)) + (random() - 0.5) * 0.01));
        lines.val_loss.push(`${t} ${valLoss} ${step}`);
        lines.val_accuracy.push(`${t} ${acc} ${step}`);
      }
      lines.learning_rate.push(`${t} ${f32(lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, step / 200))))} ${step}`);
    }
    if (run.status === 4) lines['train/loss'].push(`${startTime + steps * stepMs} nan ${steps}`);
    for (const [key, values] of Object.entries(lines)) write(path.join(runDir, 'metrics', key), values.join('\n') + '\n');
    write(path.join(runDir, 'artifacts', 'model', 'MLmodel'), `artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\nrun_id: ${runId}\n`);
    write(path.join(runDir, 'artifacts', 'confusion_matrix.json'), JSON.stringify({ labels: ['churn', 'stay'], matrix: [[410, 38], [51, 1501]] }) + '\n');
  }
  return created;
}

function lightningLogs(root, random) {
  for (let version = 0; version < 3; version++) {
    const dir = path.join(root, 'lightning_logs', `version_${version}`);
    const lr = [0.001, 0.0003, 0.003][version];
    write(path.join(dir, 'hparams.yaml'), `batch_size: 64\nhidden_dim: ${[128, 256, 128][version]}\nlearning_rate: ${lr}\nmax_epochs: 10\n`);
    const rows = ['epoch,step,train_loss,val_acc,val_loss'];
    let step = 0;
    for (let epoch = 0; epoch < 10; epoch++) {
      for (let batch = 0; batch < 5; batch++) {
        step += 50;
        rows.push(`${epoch},${step - 1},${f32(1.6 * Math.exp(-step / (900 + version * 300)) + 0.1 + random() * 0.04)},,`);
      }
      rows.push(`${epoch},${step - 1},,${f32(0.6 + 0.035 * epoch + random() * 0.01)},${f32(1.2 * Math.exp(-epoch / (4 + version)) + 0.2 + random() * 0.02)}`);
    }
    write(path.join(dir, 'metrics.csv'), rows.join('\n') + '\n');
  }
}

function dvclive(root, random) {
  const dir = path.join(root, 'dvclive');
  const epochs = 12;
  const header = 'step\tacc';
  const lossRows = ['step\tloss'];
  const accRows = [header];
  for (let step = 0; step < epochs; step++) {
    lossRows.push(`${step}\t${f32(0.9 * Math.exp(-step / 5) + 0.05 + random() * 0.02)}`);
    accRows.push(`${step}\t${f32(0.7 + 0.02 * step + random() * 0.005)}`);
  }
  write(path.join(dir, 'plots', 'metrics', 'train', 'loss.tsv'), lossRows.join('\n') + '\n');
  write(path.join(dir, 'plots', 'metrics', 'eval', 'acc.tsv'), accRows.join('\n') + '\n');
  write(path.join(dir, 'metrics.json'), JSON.stringify({ train: { loss: 0.061 }, eval: { acc: 0.93 }, step: epochs - 1 }, null, 4) + '\n');
  write(path.join(dir, 'params.yaml'), 'model: distilbert-base-uncased\nlr: 5.0e-05\nepochs: 12\n');
  write(path.join(root, 'params.yaml'), 'train:\n  lr: 5.0e-05\n  epochs: 12\n  seed: 42\n');
}

/** Finished runs written with Model Ledger's own JS logger (the live one is started by demo.mjs). */
function jsonlRuns(root, random) {
  const require = createRequire(import.meta.url);
  const { startRun } = require('../logger/js/model-ledger.js');
  for (const [name, lr] of [['distil-lr3e-5', 3e-5], ['distil-lr1e-4', 1e-4]]) {
    const run = startRun({ name, experiment: 'ticket-classifier', dir: path.join(root, 'runs'), exitHook: false });
    run.logParams({ base_model: 'distilbert-base-uncased', lr, batch_size: 32 });
    for (let step = 0; step < 300; step++) {
      run.log(step, { loss: f32(0.8 * Math.exp(-step / (lr > 5e-5 ? 60 : 110)) + 0.05 + random() * 0.02) });
    }
    run.finish('FINISHED');
  }
}

/** Writes the demo workspace into `root` (emptied first) and returns a short description. */
/** JSON with object keys sorted at every level (src/registry/events.ts canonicalJson): what a ledger event's hash covers. */
function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Drift and monitoring demo: the training data (data/reference.csv, named by the run's `train_data`
 * param) and 14 days of production data (data/current.csv) where amount, country and sessions drift
 * from 2026-11-08 and the model's F1 drops below 0.92 while the challenger's (prediction_v2) does not;
 * a ledger with churn-classifier v1 (that run) in Production; settings for the drift panel and alerts.
 */
function monitoringDemo(root, runId, start) {
  const require = createRequire(import.meta.url);
  const { driftDemoCsv } = require('./driftDemoData.cjs');
  const { reference, current } = driftDemoCsv();
  write(path.join(root, 'data', 'reference.csv'), reference);
  write(path.join(root, 'data', 'current.csv'), current);
  const actor = DEMO_PEOPLE.ada;
  const drafts = [
    { time: start + 4 * 86_400_000, action: 'register', model: 'churn-classifier', version: 1, before: null, after: { runUid: `mlflow-file:mlruns/2/${runId}`, runId, description: 'gradient boosting, tenure buckets' } },
    { time: start + 4 * 86_400_000 + 1_800_000, action: 'approve', model: 'churn-classifier', version: 1, before: { stage: 'None' }, after: { stage: 'Production' }, reason: 'offline evaluation reviewed', actor: DEMO_PEOPLE.grace },
    { time: start + 4 * 86_400_000 + 2_400_000, action: 'approve', model: 'churn-classifier', version: 1, before: { stage: 'None' }, after: { stage: 'Production' }, reason: 'fairness slices checked', actor: DEMO_PEOPLE.alan },
    // The first release has nothing in Production to compare with and no drift report yet: those gates
    // cannot pass, so it went out with a justified override, as the policy allows.
    {
      time: start + 4 * 86_400_000 + 3_600_000,
      action: 'transition',
      model: 'churn-classifier',
      version: 1,
      before: { stage: 'None' },
      after: { stage: 'Production', override: { justification: 'first release: no Production version to compare with and no production data yet' } },
      reason: 'first release',
    },
  ];
  let prev = [];
  const lines = drafts.map((d, i) => {
    const unsigned = { v: 1, id: createHash('sha256').update(`demo-${i}`).digest('hex').slice(0, 16), ...d, time: new Date(d.time).toISOString(), actor: d.actor ?? actor, prev };
    const event = { ...unsigned, hash: createHash('sha256').update(canonicalJson(unsigned)).digest('hex') };
    prev = [event.hash];
    return JSON.stringify(event);
  });
  write(path.join(root, '.model-ledger', 'ledger.jsonl'), lines.join('\n') + '\n');
  write(path.join(root, '.model-ledger', '.gitattributes'), 'ledger.jsonl merge=union\n');
  write(
    path.join(root, '.vscode', 'settings.json'),
    JSON.stringify({ 'modelLedger.monitoring.currentData': 'data/current.csv', 'modelLedger.monitoring.rules': ['f1 < 0.92 for 48h'], 'modelLedger.monitoring.alertTask': 'retrain' }, null, 2) + '\n',
  );
  write(
    path.join(root, '.vscode', 'tasks.json'),
    JSON.stringify({ version: '2.0.0', tasks: [{ label: 'retrain', type: 'shell', command: 'echo "retraining churn-classifier (demo task)"', problemMatcher: [] }] }, null, 2) + '\n',
  );
}

/**
 * The workspace is a git repository of its own with the demo's identity, so what the demo writes from
 * the editor is never recorded under the identity of a repository around it (or the user's). Without
 * git the actor falls back to the OS user, as it does for any workspace.
 */
function ownGitRepository(root, person) {
  const git = (...args) => spawnSync('git', args, { cwd: root, stdio: 'ignore', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  if (git('init', '-q').status !== 0) return;
  git('config', 'user.name', person.name);
  git('config', 'user.email', person.email);
}

/** A first commit of the generated workspace, so Source Control shows only what the demo changes after it. */
export function commitDemoWorkspace(root, message) {
  const git = (...args) => spawnSync('git', args, { cwd: root, stdio: 'ignore', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  if (git('add', '-A').status === 0) git('commit', '-q', '-m', message);
}

export function writeDemoWorkspace(root) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const random = rng(20261123);
  const start = Date.UTC(2026, 10, 16, 9, 0, 0);
  const sweep = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003].map((lr, i) => ({
    name: `lr-sweep-${i + 1}`,
    steps: 200,
    status: 3,
    quality: 1.3 - Math.abs(Math.log10(lr) + 2.5) * 0.35,
    params: { learning_rate: lr, batch_size: 64, optimizer: 'adamw', model: 'gradient-boosting', n_estimators: 300 },
  }));
  mlflowExperiment(root, { id: 1, name: 'churn-classifier', random, start, runs: sweep });
  const features = mlflowExperiment(root, {
    id: 2,
    name: 'churn-features-v2',
    random,
    start: start + 3 * 86_400_000,
    runs: [
      { name: 'baseline', steps: 200, status: 3, quality: 1.0, params: { learning_rate: 0.003, batch_size: 128, optimizer: 'adamw', features: 'v1' } },
      { name: 'with-tenure-buckets', steps: 200, status: 3, quality: 1.15, params: { learning_rate: 0.003, batch_size: 128, optimizer: 'adamw', features: 'v2', train_data: 'data/reference.csv' } },
      { name: 'oom-bs1024', steps: 37, status: 4, quality: 0.9, params: { learning_rate: 0.003, batch_size: 1024, optimizer: 'adamw', features: 'v2' }, tags: { 'mlflow.note.content': 'CUDA out of memory at step 37' } },
      { name: 'long-run', steps: 140, status: 1, quality: 1.2, params: { learning_rate: 0.002, batch_size: 128, optimizer: 'lion', features: 'v2' } },
    ],
  });
  write(
    path.join(root, 'mlruns', '0', 'meta.yaml'),
    `artifact_location: file://${path.join(root, 'mlruns', '0')}\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n`,
  );
  lightningLogs(root, random);
  monitoringDemo(root, features.find((r) => r.name === 'with-tenure-buckets').runId, start);
  jsonlRuns(root, random);
  dvclive(root, random);
  write(
    path.join(root, 'train.py'),
    [
      '"""Demo training script (illustrative; the demo data was generated, not trained)."""',
      'import mlflow',
      '',
      'with mlflow.start_run(run_name="baseline"):',
      '    mlflow.log_params({"learning_rate": 3e-3, "batch_size": 128})',
      '    for step in range(200):',
      '        mlflow.log_metric("train/loss", 1.0 / (step + 1), step=step)',
      '',
    ].join('\n'),
  );
  write(path.join(root, '.model-ledger', 'policy.yaml'), DEMO_POLICY);
  ownGitRepository(root, DEMO_PEOPLE.ada);
  write(path.join(root, 'README.md'), '# Churn model (Model Ledger demo workspace)\n\nRuns from MLflow, Lightning and DVCLive live here. Open the Model Ledger view in the activity bar.\n');
  return `${sweep.length + 4} MLflow runs in 2 experiments, 3 Lightning CSV runs, 1 DVCLive run, 2 Model Ledger JSONL runs, churn-classifier v1 in Production with drifting current data`;
}

/** The demo's people: Ada registers and promotes; Grace and Alan review. Never the user's own git identity. */
export const DEMO_PEOPLE = {
  ada: { name: 'Ada Lovelace', email: 'ada@example.com' },
  grace: { name: 'Grace Hopper', email: 'grace@example.com' },
  alan: { name: 'Alan Turing', email: 'alan@example.com' },
};

/**
 * Environment variables that make git (and so the CLI's actor) answer with `person`, whatever the
 * git configuration of the machine or of a repository around the workspace says.
 */
export function demoGitEnv(person) {
  return {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'user.name',
    GIT_CONFIG_VALUE_0: person.name,
    GIT_CONFIG_KEY_1: 'user.email',
    GIT_CONFIG_VALUE_1: person.email,
  };
}

/**
 * The promotion policy of the demo: for churn-classifier v2 (lr-sweep-4) against v1 in Production,
 * the accuracy gate passes (0.928 ≥ 0.9), the relative val_loss gate fails (v2's last val_loss 0.138 is
 * above 0.9 × v1's 0.143), the drift gate is not evaluable until a drift report is opened, and two of the named
 * reviewers have approved (Grace and Alan), so the approvals gate passes.
 */
export const DEMO_POLICY = `# Promotion gates (Model Ledger): checked in the promotion panel, the stage commands and \`model-ledger verify --policy\`.
version: 1
models:
  churn-classifier:
    Production:
      allowOverride: true
      gates:
        - metric: val_accuracy >= 0.9
        - metric: val_loss <= production.val_loss * 0.9
        - drift: share <= 0.3
        - approvals: 2
          approvers: [grace@example.com, alan@example.com]
        - require: reason
  "*":
    Production:
      gates:
        - approvals: 1
`;

/**
 * The CLI commands (argument lists for dist/cli.js, run in the workspace, each as one of the demo's
 * people) that write the rest of the demo's registry history after the workspace's own first
 * events: what `npm run demo` runs and the promotion browser check reproduces.
 */
export function demoRegistrySteps(store) {
  const { ada, grace, alan } = DEMO_PEOPLE;
  return [
    { actor: ada, args: ['scan', '.', '--store', store] },
    { actor: ada, args: ['register', 'lr-sweep-4', '--model', 'churn-classifier', '--store', store, '--description', 'gradient boosting, lr 1e-3', '--reason', 'sweep winner'] },
    { actor: ada, args: ['stage', 'churn-classifier', '2', 'Staging', '--reason', 'shadow traffic for a week'] },
    { actor: ada, args: ['alias', 'churn-classifier', 'champion', '1'] },
    { actor: ada, args: ['alias', 'churn-classifier', 'challenger', '2'] },
    { actor: grace, args: ['approve', 'churn-classifier', '2', '--stage', 'Production', '--reason', 'offline eval and shadow traffic look right'] },
    { actor: alan, args: ['approve', 'churn-classifier', '2', '--stage', 'Production', '--reason', 'fairness slices checked'] },
    { actor: ada, args: ['register', 'with-tenure-buckets', '--model', 'churn-features', '--store', store, '--reason', 'feature set v2'] },
  ];
}
