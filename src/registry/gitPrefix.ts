import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LedgerProblem } from './ledgerFile';

/**
 * What the hash chain alone cannot see: a truncated tail or a whole chain rewritten from some event
 * on. Git history can: the ledger as committed at `rev` must be a prefix of today's (appends only;
 * a union merge adds lines after it). Reads the old text with `git show REV:./<file>`; writes nothing.
 */
export async function checkLedgerAgainstGit(ledgerFile: string, rev: string): Promise<LedgerProblem[]> {
  const dir = path.dirname(ledgerFile);
  let old: string;
  try {
    old = await gitShow(dir, `${rev}:./${path.basename(ledgerFile)}`);
  } catch (error) {
    return [{ line: 0, kind: 'rewritten', message: `cannot read the ledger at ${rev}: ${(error as Error).message.split('\n')[0]}` }];
  }
  const today = await fs.readFile(ledgerFile, 'utf8').catch(() => '');
  const oldLines = contentLines(old);
  const todayLines = contentLines(today);
  for (let i = 0; i < oldLines.length; i++) {
    if (i >= todayLines.length) {
      return [{ line: todayLines.length + 1, kind: 'rewritten', message: `the ledger at ${rev} has ${oldLines.length} events, today's only ${todayLines.length}: events were removed from the end (truncated)` }];
    }
    if (oldLines[i] !== todayLines[i]) {
      return [{ line: i + 1, kind: 'rewritten', message: `differs from line ${i + 1} of the ledger at ${rev}: history was rewritten from here (the chain may still verify if it was rehashed)` }];
    }
  }
  return [];
}

function contentLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

function gitShow(cwd: string, object: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['show', object], { cwd, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => (error ? reject(new Error(stderr.trim() || error.message)) : resolve(stdout)));
  });
}
