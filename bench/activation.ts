// Activation time in a real VS Code: starts code-server on a small MLflow workspace, opens the
// workbench in headless Chromium a few times (each load is a new extension host), and reads the
// "activated in N ms" line the extension logs (activate() until views and commands are registered).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTempWorkspace, findRepoRoot, launchChromium, startCodeServer } from '../test/harness/codeServer';
import { MLFLOW_WORKSPACE_FILES } from '../test/harness/browserCheck';

function logFiles(dir: string, name: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) logFiles(full, name, out);
    else if (entry.name === name) out.push(full);
  }
  return out;
}

function activationTimes(tempRoot: string): number[] {
  const times: number[] = [];
  for (const file of logFiles(tempRoot, 'Model Ledger.log')) {
    for (const match of readFileSync(file, 'utf8').matchAll(/activated in ([\d.]+) ms/g)) times.push(Number(match[1]));
  }
  return times;
}

/** Activation times (ms) of `loads` extension hosts; throws when the harness cannot run here. */
export async function measureActivation(loads: number): Promise<number[]> {
  const repoRoot = findRepoRoot(__dirname);
  const workspace = createTempWorkspace({ files: { ...MLFLOW_WORKSPACE_FILES }, prefix: 'ml-bench-' });
  const server = await startCodeServer({ workspaceFolder: workspace.path, repoRoot });
  const browser = await launchChromium();
  try {
    for (let i = 0; i < loads; i++) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      await page.goto(server.url({ extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
      const deadline = Date.now() + 90_000;
      while (activationTimes(server.tempRoot).length <= i && Date.now() < deadline) await page.waitForTimeout(250);
      await page.close();
    }
    return activationTimes(server.tempRoot);
  } finally {
    await browser.close();
    await server.stop();
    workspace.dispose();
  }
}
