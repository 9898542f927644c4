// The one place that knows what a machine needs before the demo or the tests can run:
//   node scripts/setup.mjs test|demo-browser|demo-desktop|build [--check]
// used by `npm test` (scripts/test.mjs), `npm run demo` (scripts/demo.mjs) and CI (.ci/run).
// 1. System packages (Debian/Ubuntu names). As root with apt-get: installed after a one-line
//    message saying what and why. Otherwise: one exact command to run, exit code 2, before
//    anything else happens (nothing half-installed).
// 2. npm dependencies: installed with `npm ci` when node_modules is missing, was left half-written
//    by an interrupted install, or is older than package-lock.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const EXIT_SETUP_NEEDED = 2;

/** Each package, the command that proves it is there (for machines without dpkg), and why we need it. */
const PACKAGES = {
  chromium: { binary: 'chromium', why: 'the browser the VS Code workbench and webview checks run in' },
  'fonts-liberation': { file: '/usr/share/fonts/truetype/liberation', why: 'readable text in screenshots' },
  ripgrep: { binary: 'rg', why: "code-server's offline install (its ripgrep download is replaced by the system's)" },
  'libkrb5-dev': { file: '/usr/include/krb5.h', why: "headers code-server's native modules build against" },
  'pkg-config': { binary: 'pkg-config', why: "code-server's native module builds" },
  python3: { binary: 'python3', why: 'node-gyp builds of native modules' },
  make: { binary: 'make', why: 'node-gyp builds of native modules' },
  'g++': { binary: 'g++', why: 'node-gyp builds of native modules' },
  git: { binary: 'git', why: 'ledger identities and the GTO registry tests' },
  'openssh-client': { binary: 'ssh-keygen', why: 'SSH signatures of ledger events (keys made at test time)' },
};

const CODE_SERVER_BUILD = ['ripgrep', 'libkrb5-dev', 'pkg-config', 'python3', 'make', 'g++'];
/** What each purpose needs. A desktop VS Code (`code` on PATH) needs none of code-server's packages. */
export const PURPOSES = {
  build: [],
  'demo-desktop': ['git'],
  'demo-browser': [...CODE_SERVER_BUILD, 'git'],
  test: ['chromium', 'fonts-liberation', ...CODE_SERVER_BUILD, 'git', 'openssh-client'],
};

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function dpkgInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

export function missingPackages(names) {
  const hasDpkg = onPath('dpkg-query');
  return names.filter((name) => {
    if (hasDpkg) return !dpkgInstalled(name);
    const probe = PACKAGES[name];
    return probe.binary ? !onPath(probe.binary) : !existsSync(probe.file);
  });
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Installs (as root with apt-get) or explains what is missing; returns false when the caller must stop. */
export function ensureSystemPackages(purpose, { check = false } = {}) {
  const missing = missingPackages(PURPOSES[purpose]);
  if (missing.length === 0) return true;
  const reasons = missing.map((name) => `${name} (${PACKAGES[name].why})`).join('; ');
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (check || !isRoot() || !onPath('apt-get')) {
    console.error(`setup: missing system packages for '${purpose}': ${reasons}.`);
    console.error(onPath('apt-get') ? `setup: run as root:\n\n    sudo sh -c '${command}'\n` : `setup: this is not a Debian/Ubuntu machine; install the equivalents of: ${missing.join(' ')}`);
    return false;
  }
  console.log(`setup: installing ${missing.join(', ')} with apt-get — ${reasons}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`setup: 'apt-get ${args.join(' ')}' failed (${result.status ?? result.signal}); run '${command}' by hand.`);
      return false;
    }
  }
  return true;
}

/** Packages every stage needs; their absence means an interrupted or partial install. */
const REQUIRED_MODULES = ['typescript', 'esbuild', 'mocha', 'sql.js', 'eslint', 'playwright-core', 'yaml'];

/** Why node_modules must be (re)installed, or undefined when it is complete and current. */
export function nodeModulesProblem(dir = root) {
  const modules = path.join(dir, 'node_modules');
  if (!existsSync(modules)) return 'node_modules is missing';
  // npm writes this file last; without it the previous install did not finish.
  const hidden = path.join(modules, '.package-lock.json');
  if (!existsSync(hidden)) return 'node_modules is incomplete (an interrupted install)';
  if (statSync(path.join(dir, 'package-lock.json')).mtimeMs > statSync(hidden).mtimeMs + 1000) return 'package-lock.json is newer than node_modules';
  const absent = REQUIRED_MODULES.filter((name) => !existsSync(path.join(modules, name, 'package.json')));
  if (absent.length > 0) return `node_modules lacks ${absent.join(', ')} (an interrupted install)`;
  return undefined;
}

/** Seeds @vscode/ripgrep's download cache with the system's rg, so code-server installs offline. */
function seedRipgrepCache() {
  if (!onPath('rg')) return; // code-server is optional: without rg it is skipped, not fatal
  const cache = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  if (existsSync(path.join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'))) return;
  spawnSync('bash', [path.join(root, '.ci', 'prepare-npm.sh')], { stdio: 'inherit' });
}

export function ensureNodeModules() {
  const problem = nodeModulesProblem();
  if (problem === undefined) return true;
  console.log(`setup: ${problem}: installing npm dependencies (npm ci; about 3 minutes on a 2-core machine)…`);
  seedRipgrepCache();
  const env = { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) {
    console.error(`setup: 'npm ci' failed (${result.status ?? result.signal}).`);
    return false;
  }
  return true;
}

/** The whole set-up for a purpose: system packages first, then npm. Exits 2 when the user must act. */
export function setUp(purpose, options = {}) {
  if (!(purpose in PURPOSES)) throw new Error(`setup: unknown purpose '${purpose}' (${Object.keys(PURPOSES).join(', ')})`);
  if (!ensureSystemPackages(purpose, options)) process.exit(EXIT_SETUP_NEEDED);
  if (options.check) {
    const problem = nodeModulesProblem();
    if (problem) {
      console.error(`setup: ${problem}; run 'npm ci'.`);
      process.exit(EXIT_SETUP_NEEDED);
    }
    return;
  }
  if (!ensureNodeModules()) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [purpose = 'test', ...rest] = process.argv.slice(2);
  setUp(purpose, { check: rest.includes('--check') });
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  console.log(`setup: ready for '${purpose}' (model-ledger ${version}).`);
}
