// Runs a real VS Code (code-server 4.100.3, VS Code 1.100.3) offline, for the integration
// tests and the browser check. See docs/testing.md.
//
// - startCodeServer(): code-server on a free 127.0.0.1 port with throwaway config/data/cache/tmp
//   folders, in its own process group so that stop() also ends the extension host and watchers.
// - launchChromium(): headless Debian chromium through playwright-core.
// - buildWorkbenchUrl(): the workbench URL with `folder` and the `payload` that carries
//   extensionDevelopmentPath / extensionTestsPath (code-server refuses them on its command line).
// - createTempWorkspace(): a throwaway copy of a fixture folder, plus extra files.
//
// Nothing here imports `vscode`: this runs in plain Node.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** The repository root: the nearest folder above `fromDir` holding a package.json. */
export function findRepoRoot(fromDir: string = __dirname): string {
  let dir = path.resolve(fromDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`No package.json found in ${fromDir} or any folder above it`);
    }
    dir = parent;
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1 (there is a small race until it is bound again). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('Could not read the port of a probe server'));
        return;
      }
      const port = address.port;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Workbench URL

export interface WorkbenchPayload {
  /** Absolute path of the extension folder to load in development mode. */
  extensionDevelopmentPath?: string;
  /** Absolute path of the compiled test entry (a file exporting run(), or its folder). */
  extensionTestsPath?: string;
  /** Skip the welcome page (default true). */
  skipWelcome?: boolean;
  /** Any further [key, value] payload pairs the workbench understands. */
  extra?: Array<[string, string]>;
}

export interface WorkbenchUrlOptions extends WorkbenchPayload {
  port: number;
  host?: string;
  /** Absolute path of the folder to open. */
  folder?: string;
}

/** `vscode-remote://HOST:PORT/<abs path>`: how the browser workbench names a path on the server. */
export function toRemoteUri(absPath: string, port: number, host = '127.0.0.1'): string {
  if (!path.isAbsolute(absPath)) {
    throw new Error(`Expected an absolute path, got ${absPath}`);
  }
  const encoded = path
    .resolve(absPath)
    .split(path.sep)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return `vscode-remote://${host}:${port}${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}

/** The payload pairs, as the workbench reads them from the `payload` query parameter. */
export function buildPayload(payload: WorkbenchPayload, port: number, host = '127.0.0.1'): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (payload.extensionDevelopmentPath) {
    pairs.push(['extensionDevelopmentPath', toRemoteUri(payload.extensionDevelopmentPath, port, host)]);
  }
  if (payload.extensionTestsPath) {
    pairs.push(['extensionTestsPath', toRemoteUri(payload.extensionTestsPath, port, host)]);
  }
  if (payload.skipWelcome ?? true) {
    pairs.push(['skipWelcome', 'true']);
  }
  pairs.push(...(payload.extra ?? []));
  return pairs;
}

/** `http://HOST:PORT/?folder=<abs folder>&payload=<urlencoded JSON>`. */
export function buildWorkbenchUrl(options: WorkbenchUrlOptions): string {
  const host = options.host ?? '127.0.0.1';
  const params = new URLSearchParams();
  if (options.folder) {
    params.set('folder', path.resolve(options.folder));
  }
  const pairs = buildPayload(options, options.port, host);
  if (pairs.length > 0) {
    params.set('payload', JSON.stringify(pairs));
  }
  const query = params.toString();
  return `http://${host}:${options.port}/${query ? `?${query}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// code-server

export interface CodeServerOptions {
  /** Folder the server opens (also passed as `folder` by url()). */
  workspaceFolder: string;
  /** More code-server command-line flags. */
  extraArgs?: string[];
  /** Repository root (to find node_modules/.bin/code-server); default: found from __dirname. */
  repoRoot?: string;
  /** The code-server executable; default `<repoRoot>/node_modules/.bin/code-server`. */
  codeServerBin?: string;
  /** How long to wait for "HTTP server listening" (default 60 s, env ML_CODE_SERVER_START_MS). */
  startTimeoutMs?: number;
  /** More environment variables for code-server (the extension host inherits them). */
  env?: NodeJS.ProcessEnv;
  /** VS Code user settings written to <user-data-dir>/User/settings.json before start. */
  userSettings?: Record<string, unknown>;
  /** Receives every line code-server prints (default: nothing, kept for error messages). */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface CodeServerHandle {
  port: number;
  host: string;
  /** http://127.0.0.1:PORT/ */
  baseUrl: string;
  /** The mkdtemp folder holding config, data, cache, tmp, user data and extensions. */
  tempRoot: string;
  userDataDir: string;
  extensionsDir: string;
  pid: number;
  /** Workbench URL opening the workspace folder, with an optional payload. */
  url(payload?: WorkbenchPayload): string;
  /** Everything code-server printed so far. */
  output(): string;
  /**
   * Kills the whole process group (SIGTERM, then SIGKILL after graceMs) and removes tempRoot
   * (kept when env ML_KEEP_TEMP=1).
   */
  stop(graceMs?: number): Promise<void>;
}

/** Settings that keep a throwaway workbench quiet and offline. */
export const DEFAULT_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
};

const LISTENING = /HTTP server listening on/;
const MAX_OUTPUT_CHARS = 200_000;

/** Servers not stopped yet, killed synchronously if the Node process exits first. */
const running = new Set<{ pid: number; tempRoot: string }>();
/** Temporary folders (workspaces, chromium's XDG home) not removed yet, removed if the Node process exits first. */
const workspaces = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of running) {
      killGroup(server.pid, 'SIGKILL');
      try {
        fs.rmSync(server.tempRoot, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
    for (const dir of workspaces) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts code-server on a free port and resolves once it listens. Retries on another port if the
 * one picked was taken in the meantime.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServerHandle> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && /EADDRINUSE/.test(error.message))) {
        throw error;
      }
    }
  }
  throw lastError;
}

async function startOnce(options: CodeServerOptions): Promise<CodeServerHandle> {
  const repoRoot = options.repoRoot ?? findRepoRoot();
  const bin = options.codeServerBin ?? path.join(repoRoot, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) {
    throw new Error(`code-server not found at ${bin} (is the devDependency code-server@4.100.3 installed?)`);
  }
  const workspaceFolder = path.resolve(options.workspaceFolder);
  if (!fs.statSync(workspaceFolder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`Workspace folder ${workspaceFolder} does not exist`);
  }
  const host = '127.0.0.1';
  const port = await findFreePort(host);
  const startTimeoutMs = options.startTimeoutMs ?? (Number(process.env.ML_CODE_SERVER_START_MS) || 60_000);

  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-code-server-'));
  const dirs = {
    config: path.join(tempRoot, 'config'),
    data: path.join(tempRoot, 'data'),
    cache: path.join(tempRoot, 'cache'),
    tmp: path.join(tempRoot, 'tmp'),
    userData: path.join(tempRoot, 'user-data'),
    extensions: path.join(tempRoot, 'extensions'),
  };
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const settings = { ...DEFAULT_USER_SETTINGS, ...(options.userSettings ?? {}) };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Variables of a surrounding VS Code (integrated terminal, extension host) would confuse this one.
    if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|CODE_SERVER_|PASSWORD$|HASHED_PASSWORD$|PORT$)/.test(key)) {
      continue;
    }
    env[key] = value;
  }
  Object.assign(env, {
    // No extension gallery: offline, its queries only fail (getaddrinfo ENOTFOUND open-vsx.org)
    // and log errors. An EXTENSIONS_GALLERY set by the caller wins.
    EXTENSIONS_GALLERY: process.env.EXTENSIONS_GALLERY ?? '{}',
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
  });
  Object.assign(env, options.env ?? {});

  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.extraArgs ?? []),
    workspaceFolder,
  ];

  let output = '';
  const child: ChildProcess = spawn(bin, args, {
    cwd: tempRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    fs.rmSync(tempRoot, { recursive: true, force: true });
    throw new Error(`Could not spawn ${bin}`);
  }
  const pid = child.pid;
  const record = { pid, tempRoot };
  running.add(record);
  installExitHook();

  let exited = false;
  let exitDescription = '';
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());

  for (const stream of ['stdout', 'stderr'] as const) {
    let pending = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      output += chunk;
      if (output.length > MAX_OUTPUT_CHARS) {
        output = output.slice(-MAX_OUTPUT_CHARS);
      }
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        options.onOutput?.(line, stream);
      }
      notify();
    });
  }
  child.on('exit', (code, signal) => {
    exited = true;
    exitDescription = signal ? `signal ${signal}` : `code ${code}`;
    notify();
  });
  child.on('error', (error) => {
    exited = true;
    exitDescription = `spawn error: ${error.message}`;
    notify();
  });

  let stopped = false;
  const stop = async (graceMs = 5000): Promise<void> => {
    if (stopped) {
      return;
    }
    stopped = true;
    if (killGroup(pid, 'SIGTERM')) {
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < deadline) {
        await sleep(100);
      }
      if (groupAlive(pid)) {
        killGroup(pid, 'SIGKILL');
        const killDeadline = Date.now() + 2000;
        while (groupAlive(pid) && Date.now() < killDeadline) {
          await sleep(50);
        }
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    running.delete(record);
    if (process.env.ML_KEEP_TEMP === '1') {
      options.onOutput?.(`(ML_KEEP_TEMP=1: kept ${tempRoot})`, 'stderr');
      return;
    }
    // Sockets and watchers may still be closing: retry removal a few times.
    fs.rmSync(tempRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `code-server did not print "HTTP server listening" within ${startTimeoutMs} ms.\n` +
              `Command: ${bin} ${args.join(' ')}\n--- output ---\n${output.trim()}\n--------------`,
          ),
        );
      }, startTimeoutMs);
      const check = () => {
        if (LISTENING.test(output)) {
          cleanup();
          resolve();
        } else if (exited) {
          cleanup();
          reject(
            new Error(
              `code-server exited (${exitDescription}) before listening.\n` +
                `Command: ${bin} ${args.join(' ')}\n--- output ---\n${output.trim()}\n--------------`,
            ),
          );
        }
      };
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  } catch (error) {
    await stop(1000);
    throw error;
  }

  return {
    port,
    host,
    baseUrl: `http://${host}:${port}/`,
    tempRoot,
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    pid,
    url: (payload?: WorkbenchPayload) => buildWorkbenchUrl({ ...(payload ?? {}), port, host, folder: workspaceFolder }),
    output: () => output,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Chromium

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumOptions {
  /** Default: env CHROMIUM_PATH, else /usr/bin/chromium. */
  executablePath?: string;
  /** Default true; env ML_HEADFUL=1 shows the window (needs a display). */
  headless?: boolean;
  extraArgs?: string[];
}

/** Headless Debian chromium through playwright-core (never `playwright install`). */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath} (set CHROMIUM_PATH, or apt-get install chromium)`);
  }
  // Chromium writes its crash-report database under ~/.config/chromium even with a temporary
  // profile: give it throwaway XDG folders, removed when the browser goes away.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-chromium-'));
  workspaces.add(home);
  installExitHook();
  const removeHome = () => {
    workspaces.delete(home);
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  };
  try {
    const browser = await chromium.launch({
      executablePath,
      headless: options.headless ?? process.env.ML_HEADFUL !== '1',
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(home, 'config'),
        XDG_CACHE_HOME: path.join(home, 'cache'),
      },
    });
    browser.on('disconnected', removeHome);
    return browser;
  } catch (error) {
    removeHome();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Workspaces

export interface TempWorkspace {
  path: string;
  dispose(): void;
}

/**
 * A throwaway workspace folder: a copy of `fixtureDir` when given and present (else empty),
 * plus `files` (relative path -> content).
 */
export function createTempWorkspace(
  options: { fixtureDir?: string; files?: Record<string, string>; prefix?: string } = {},
): TempWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'ml-workspace-'));
  // A stable, readable folder name (the workbench shows it in the title and the explorer).
  const dir = path.join(root, 'workspace');
  fs.mkdirSync(dir);
  if (options.fixtureDir && fs.existsSync(options.fixtureDir)) {
    fs.cpSync(options.fixtureDir, dir, { recursive: true });
  }
  for (const [relative, content] of Object.entries(options.files ?? {})) {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  workspaces.add(root);
  installExitHook();
  return {
    path: dir,
    dispose: () => {
      workspaces.delete(root);
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    },
  };
}

/** Why the extension in `extensionDir` cannot load yet (its `main` is not built), or undefined. */
export function extensionBuildProblem(extensionDir: string): string | undefined {
  const manifestPath = path.join(extensionDir, 'package.json');
  let main: string | undefined;
  try {
    main = (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { main?: unknown }).main as string | undefined;
  } catch (error) {
    return `cannot read ${manifestPath}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof main === 'string') {
    const resolved = path.resolve(extensionDir, main);
    const candidates = [resolved, `${resolved}.js`, path.join(resolved, 'index.js')];
    if (!candidates.some((candidate) => fs.existsSync(candidate))) {
      return `${resolved} does not exist: run \`npm run build\` first`;
    }
  }
  return undefined;
}

/** Formats milliseconds as "12.3 s". */
export function formatDuration(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
