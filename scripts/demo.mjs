// `npm run demo`: installs what is missing, builds and packages the extension, writes a demo
// workspace, and opens it in VS Code: the desktop `code` when it is on PATH, else code-server in
// the browser (prints the URL and keeps serving until Ctrl+C).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitDemoWorkspace, demoGitEnv, demoRegistrySteps, writeDemoWorkspace } from './demoWorkspace.mjs';
import { setUp } from './setup.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const demoDir = path.join(root, '.demo');
const workspace = path.join(demoDir, 'workspace');
const args = new Set(process.argv.slice(2));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    console.error(`demo: '${command} ${commandArgs.join(' ')}' failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function onPath(command) {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', [command], { stdio: 'ignore' }).status === 0;
}

function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      const fallback = net.createServer();
      fallback.listen(0, '127.0.0.1', () => {
        const { port } = fallback.address();
        fallback.close(() => resolve(port));
      });
    });
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

const codeServerBin = path.join(root, 'node_modules', '.bin', 'code-server');
const desktop = onPath('code') && !args.has('--browser');
setUp(desktop ? 'demo-desktop' : 'demo-browser');
if (!desktop && !existsSync(codeServerBin)) {
  // code-server is an optional dependency: its install is skipped where its build packages were missing.
  console.log('demo: code-server is not installed yet: installing it (npm install code-server)…');
  run('bash', [path.join(root, '.ci', 'prepare-npm.sh')]);
  run(npm, ['install', '--no-save', '--no-audit', '--no-fund', 'code-server@4.100.3'], { env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' } });
}

console.log('demo: building and packaging the extension…');
run(process.execPath, [path.join(root, 'scripts', 'package.mjs')]);
const vsix = path.join(root, 'dist-vsix', 'model-ledger.vsix');

console.log(`demo: writing the demo workspace: ${writeDemoWorkspace(workspace)}`);
// A registry history, written with the CLI the way a team would, after the workspace's own first
// events (churn-classifier v1 in Production, see demoWorkspace.mjs): a challenger in Staging, aliases,
// a second model, with reasons — the ledger the Models view, the promotion panel and `verify` read.
{
  const cli = path.join(root, 'dist', 'cli.js');
  const demoStore = path.join(demoDir, 'demo-cli.sqlite');
  rmSync(demoStore, { force: true });
  for (const { actor, args: stepArgs } of demoRegistrySteps(demoStore)) {
    run(process.execPath, [cli, ...stepArgs], { cwd: workspace, env: { ...process.env, ...demoGitEnv(actor) }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}
commitDemoWorkspace(workspace, 'Churn model: runs, registry ledger and policy (Model Ledger demo)');

if (desktop) {
  run('code', ['--extensionDevelopmentPath', root, workspace]);
  console.log(`demo: opened ${workspace} in VS Code with Model Ledger loaded from ${root}.`);
  console.log('demo: a run is training in the background (runs/live-demo/); Ctrl+C stops it.');
  const trainer = spawn(process.execPath, [path.join(root, 'scripts', 'demoTrainer.cjs'), workspace], { stdio: 'inherit' });
  process.on('SIGINT', () => trainer.kill('SIGTERM'));
  await new Promise((resolve) => trainer.on('exit', resolve));
  process.exit(0);
}

// code-server: its own throwaway profile, the packaged extension installed into it.
const profile = path.join(demoDir, 'code-server');
rmSync(profile, { recursive: true, force: true });
const dirs = Object.fromEntries(['config', 'data', 'cache', 'user-data', 'extensions'].map((d) => [d, path.join(profile, d)]));
Object.values(dirs).forEach((d) => mkdirSync(d, { recursive: true }));
const env = {
  ...process.env,
  XDG_CONFIG_HOME: dirs.config,
  XDG_DATA_HOME: dirs.data,
  XDG_CACHE_HOME: dirs.cache,
  TMPDIR: mkdtempSync(path.join(os.tmpdir(), 'model-ledger-demo-')),
};
// A quiet first start: no welcome walkthrough, no prompt about the repository around .demo/.
mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
writeFileSync(
  path.join(dirs['user-data'], 'User', 'settings.json'),
  JSON.stringify({ 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never', 'workbench.tips.enabled': false, 'telemetry.telemetryLevel': 'off' }, null, 2),
);
const common = ['--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions, '--disable-telemetry', '--disable-update-check'];
execFileSync(codeServerBin, [...common, '--install-extension', vsix], { env, stdio: ['ignore', 'ignore', 'inherit'] });

const port = await freePort(Number(process.env.PORT ?? 8080));
const host = process.env.HOST ?? '127.0.0.1';
const server = spawn(
  codeServerBin,
  [...common, '--auth', 'none', '--bind-addr', `${host}:${port}`, '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', workspace],
  { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
);
const url = `http://${host}:${port}/?folder=${encodeURIComponent(workspace)}`;
let announced = false;
let trainer;
const announce = (chunk) => {
  if (!announced && /HTTP server listening/.test(chunk.toString())) {
    announced = true;
    // A run that trains while you watch: one step a second, for as long as the demo is up.
    trainer = spawn(process.execPath, [path.join(root, 'scripts', 'demoTrainer.cjs'), workspace], { stdio: 'ignore' });
    console.log(`\nModel Ledger demo is running in code-server:\n\n    ${url}\n\nOpen it in a browser; the Model Ledger view is in the activity bar, and the run\n'live-finetune' (experiment live-demo) trains while you watch. Ctrl+C stops it.\n`);
  }
};
server.stdout.on('data', announce);
server.stderr.on('data', announce);
const stop = () => {
  trainer?.kill('SIGTERM');
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => process.exit(0), 500);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => {
  console.log(`demo: code-server exited (${code})`);
  process.exit(code ?? 0);
});
