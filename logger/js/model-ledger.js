/* global require, module, process, Buffer */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS for Node, usable without a build step */
'use strict';
/**
 * Model Ledger run logger for Node: writes a `*.mlrun.jsonl` run log (see docs/run-log-format.md).
 * One CommonJS file, no dependencies: copy it into your project (typings: model-ledger.d.ts).
 *
 *   const { startRun } = require('./model-ledger');
 *   const run = startRun({ name: 'baseline', experiment: 'mnist' });
 *   run.logParams({ lr: 1e-3 });
 *   run.log(0, { loss: 0.5, acc: 0.9 });
 *   run.finish();
 *
 * Every record is one fs.writeSync of a complete line on a file opened for appending, so the file is
 * readable while it grows and survives the process being killed at any moment.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

const FORMAT = 'model-ledger-run';
const FORMAT_VERSION = 1;
const LOGGER_ID = 'model-ledger.js/1';
const END_STATUSES = ['FINISHED', 'FAILED', 'KILLED'];
const MAX_ERROR_CHARS = 1000;

/** @type {Set<Run>} */
const openRuns = new Set();
let exitHookInstalled = false;

class Run {
  constructor(fd, filePath, runId, name, experiment, options) {
    this.path = filePath;
    this.runId = runId;
    this.name = name;
    this.experiment = experiment;
    this._fd = fd;
    this._fsync = Boolean(options.fsync);
    this._finished = false;
    this._nextStep = 0;
    if (options.exitHook !== false) registerForExitHook(this);
  }

  get finished() {
    return this._finished;
  }

  logParams(params) {
    this._write({ type: 'params', time: Date.now(), params: textValues(params) });
  }

  logParam(key, value) {
    this.logParams({ [key]: value });
  }

  setTags(tags) {
    this._write({ type: 'tags', time: Date.now(), tags: textValues(tags) });
  }

  setTag(key, value) {
    this.setTags({ [key]: value });
  }

  /** log(step, {loss: 0.5}) or log({loss: 0.5}) (step: the previous one + 1, from 0). */
  log(stepOrMetrics, maybeMetrics) {
    let step;
    let metrics;
    if (typeof stepOrMetrics === 'object' && stepOrMetrics !== null) {
      metrics = stepOrMetrics;
      step = this._nextStep;
    } else {
      step = stepOrMetrics === undefined || stepOrMetrics === null ? this._nextStep : stepOrMetrics;
      metrics = maybeMetrics;
    }
    if (typeof step === 'bigint') step = Number(step);
    if (typeof step !== 'number' || !Number.isSafeInteger(step)) {
      throw new TypeError(`step must be an integer, got ${String(step)}`);
    }
    if (typeof metrics !== 'object' || metrics === null) {
      throw new TypeError('metrics must be an object of numbers');
    }
    // No prototype: a key "__proto__" is just a key.
    const values = Object.create(null);
    for (const [key, value] of Object.entries(metrics)) values[key] = metricValue(key, value);
    this._write({ type: 'metrics', time: Date.now(), step, values });
    this._nextStep = step + 1;
  }

  /** Writes the end record and closes the file. A second call does nothing. */
  finish(status = 'FINISHED', error) {
    if (!END_STATUSES.includes(status)) {
      throw new RangeError(`status must be one of ${END_STATUSES.join(', ')}, got ${String(status)}`);
    }
    if (this._finished) return;
    const record = { type: 'end', time: Date.now(), status };
    if (error !== undefined && error !== null && error !== '') record.error = describe(error).slice(0, MAX_ERROR_CHARS);
    try {
      this._write(record, true);
    } finally {
      this._finished = true;
      openRuns.delete(this);
      fs.closeSync(this._fd);
    }
  }

  _write(record, forceFsync = false) {
    if (this._finished) throw new Error(`run ${this.runId} is already finished`);
    writeAll(this._fd, Buffer.from(JSON.stringify(record) + '\n', 'utf8'));
    if (this._fsync || forceFsync) fs.fsyncSync(this._fd);
  }
}

/**
 * Creates a new run log and writes its header: `<dir>/<experiment>/<name>-<id8>.mlrun.jsonl`, dir
 * defaulting to $MODEL_LEDGER_DIR or `runs` (relative to the working directory), or exactly `path`.
 */
function startRun(options = {}) {
  const experiment = options.experiment === undefined || options.experiment === null || String(options.experiment) === '' ? 'Default' : String(options.experiment);
  const name = options.name === undefined || options.name === null || String(options.name) === '' ? defaultRunName() : String(options.name);
  const started = Date.now();
  for (let attempt = 0; attempt < 100; attempt++) {
    const runId = crypto.randomBytes(16).toString('hex');
    let filePath = options.path;
    if (filePath === undefined) {
      const base = options.dir !== undefined ? options.dir : process.env.MODEL_LEDGER_DIR || 'runs';
      filePath = path.join(String(base), safeFilePart(experiment), `${safeFilePart(name)}-${runId.slice(0, 8)}.mlrun.jsonl`);
    }
    fs.mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
    let fd;
    try {
      // 'ax': exclusive create, so two processes starting runs with the same name never share a file.
      fd = fs.openSync(filePath, 'ax', 0o644);
    } catch (error) {
      if (error && error.code === 'EEXIST' && options.path === undefined) continue;
      throw error;
    }
    // run_id within the first 64 bytes: readers that detect a replaced file by its first bytes
    // (Model Ledger's tail reader does) can then tell two run logs apart.
    const header = { type: 'header', run_id: runId, format: FORMAT, version: FORMAT_VERSION, name, experiment, time: started, start_time: started };
    const user = loginName();
    if (user) header.user = user;
    const commit = gitCommit(process.cwd());
    if (commit) header.git_commit = commit;
    header.logger = LOGGER_ID;
    const run = new Run(fd, filePath, runId, name, experiment, options);
    run._write(header, true);
    return run;
  }
  throw new Error('could not find a free run file name');
}

/** Appends to an existing run log (e.g. after a restart) and marks the run RUNNING again. */
function resumeRun(filePath, options = {}) {
  const content = fs.readFileSync(filePath);
  const firstNewline = content.indexOf(0x0a);
  let header;
  try {
    header = JSON.parse(content.subarray(0, firstNewline < 0 ? content.length : firstNewline).toString('utf8'));
  } catch {
    header = undefined;
  }
  if (!header || typeof header !== 'object' || header.type !== 'header') {
    throw new Error(`${filePath} does not start with a Model Ledger run header`);
  }
  const fd = fs.openSync(filePath, 'a');
  const run = new Run(fd, filePath, String(header.run_id ?? ''), String(header.name ?? ''), String(header.experiment ?? 'Default'), options);
  // A half line left by a crash is ended here, so that readers report only that line.
  if (content.length > 0 && content[content.length - 1] !== 0x0a) writeAll(fd, Buffer.from('\n'));
  run._write({ type: 'status', time: Date.now(), status: 'RUNNING' });
  return run;
}

/** Runs `body` with a new run: FINISHED when it returns, FAILED (and rethrown) when it throws. */
async function withRun(options, body) {
  const run = startRun(options);
  try {
    const result = await body(run);
    run.finish('FINISHED');
    return result;
  } catch (error) {
    run.finish('FAILED', error);
    throw error;
  }
}

function writeAll(fd, buffer) {
  let written = 0;
  while (written < buffer.length) written += fs.writeSync(fd, buffer, written, buffer.length - written);
}

function metricValue(key, value) {
  let number = value;
  if (typeof value === 'boolean') number = value ? 1 : 0;
  else if (typeof value === 'bigint') number = Number(value);
  else if (typeof value !== 'number') throw new TypeError(`metric ${key} must be a number, got ${String(value)}`);
  if (Number.isNaN(number)) return 'NaN';
  if (number === Infinity) return 'Infinity';
  if (number === -Infinity) return '-Infinity';
  return number;
}

function textValues(object) {
  if (typeof object !== 'object' || object === null) throw new TypeError('expected an object');
  const result = Object.create(null);
  for (const [key, value] of Object.entries(object)) result[key] = asText(value);
  return result;
}

function asText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function describe(error) {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}

function defaultRunName() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `run-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

function safeFilePart(text) {
  const safe = text.replace(/[^\p{L}\p{N}_.-]+/gu, '_').replace(/^[._]+|[._]+$/g, '').slice(0, 60);
  return safe || 'run';
}

function loginName() {
  try {
    return os.userInfo().username || undefined;
  } catch {
    // no passwd entry (some containers): fall back to the environment, or leave it out
    return process.env.USER || process.env.USERNAME || undefined;
  }
}

const HEX_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** The checked-out commit, from .git/HEAD and the ref it names; undefined when not cheaply known. */
function gitCommit(start) {
  try {
    const gitDir = findGitDir(start);
    if (!gitDir) return undefined;
    let commonDir = gitDir;
    const commondirFile = path.join(gitDir, 'commondir');
    if (fs.existsSync(commondirFile)) commonDir = path.resolve(gitDir, fs.readFileSync(commondirFile, 'utf8').trim());
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref:')) return HEX_COMMIT.test(head) ? head : undefined;
    const ref = head.slice(4).trim();
    for (const directory of [gitDir, commonDir]) {
      const loose = path.join(directory, ...ref.split('/'));
      if (fs.existsSync(loose) && fs.statSync(loose).isFile()) {
        const value = fs.readFileSync(loose, 'utf8').trim();
        return HEX_COMMIT.test(value) ? value : undefined;
      }
    }
    const packed = path.join(commonDir, 'packed-refs');
    if (fs.existsSync(packed)) {
      for (const line of fs.readFileSync(packed, 'utf8').split('\n')) {
        const parts = line.trim().split(' ');
        if (parts.length === 2 && parts[1] === ref && HEX_COMMIT.test(parts[0])) return parts[0];
      }
    }
  } catch {
    // unreadable or odd repository layout: the commit is optional
  }
  return undefined;
}

function findGitDir(start) {
  let directory = path.resolve(start);
  for (;;) {
    const candidate = path.join(directory, '.git');
    if (fs.existsSync(candidate)) {
      if (fs.statSync(candidate).isDirectory()) return candidate;
      // Worktrees and submodules: ".git" is a file "gitdir: <path>".
      const content = fs.readFileSync(candidate, 'utf8').trim();
      return content.startsWith('gitdir:') ? path.resolve(directory, content.slice(7).trim()) : undefined;
    }
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

function registerForExitHook(run) {
  openRuns.add(run);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers may only do synchronous work, which is all finish() does.
  process.on('exit', (code) => {
    const status = code === 0 ? 'FINISHED' : 'FAILED';
    for (const open of [...openRuns]) {
      try {
        open.finish(status, code === 0 ? undefined : `process exited with code ${code}`);
      } catch {
        // the process is going away: a failed write must not change how it exits
      }
    }
  });
}

module.exports = { startRun, resumeRun, withRun, Run, FORMAT, FORMAT_VERSION };
