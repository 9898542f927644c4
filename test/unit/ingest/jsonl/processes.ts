import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PYTHON_LOGGER_DIR } from './recordingSink';

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type Language = 'python' | 'node';

/** Starts a script (written to `dir`) in `dir`, with the Python logger importable. */
export function startScript(language: Language, dir: string, source: string): ChildProcess {
  const file = path.join(dir, language === 'python' ? 'script.py' : 'script.js');
  writeFileSync(file, source);
  const command = language === 'python' ? 'python3' : process.execPath;
  return spawn(command, [file], {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: PYTHON_LOGGER_DIR, PYTHONDONTWRITEBYTECODE: '1', MODEL_LEDGER_DIR: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function waitFor(child: ChildProcess): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export async function runScript(language: Language, dir: string, source: string): Promise<Finished> {
  return waitFor(startScript(language, dir, source));
}

/** The last line of stdout as JSON: the scripts report their own counts there. */
export function lastJsonLine<T>(finished: Finished): T {
  const lines = finished.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(`script printed no JSON (code ${finished.code}):\n${finished.stdout}\n${finished.stderr}`);
  }
}

/** Resolves with the first stdout line matching `predicate` (the child keeps running). */
export function waitForLine(child: ChildProcess, predicate: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (predicate(line)) {
          child.stdout?.off('data', onData);
          resolve(line);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => reject(new Error(`script ended (code ${code}) before the expected line:\n${stderr}`)));
  });
}
