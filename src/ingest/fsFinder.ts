import { promises as fs } from 'node:fs';
import path from 'node:path';
import { globToRegExp, matchesAny } from './glob';

/** Folders no run log lives in, skipped by the walk (the extension uses VS Code's files.exclude instead). */
export const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache', 'site-packages', '.ipynb_checkpoints', '.model-ledger']);

export interface FileFinder {
  /** Absolute paths of files under `root` whose root-relative path matches one of `patterns`. */
  find(root: string, patterns: readonly string[], signal?: AbortSignal): Promise<string[]>;
}

/**
 * The CLI's finder: walks the disk once per call. Does not follow symbolic links to folders (no
 * loops), stops at MAX_DEPTH, and skips unreadable folders silently (they hold nothing it could import).
 */
export class FsFileFinder implements FileFinder {
  static readonly MAX_DEPTH = 16;

  async find(root: string, patterns: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const regexps = patterns.map(globToRegExp);
    const found: string[] = [];
    const walk = async (dir: string, relative: string, depth: number): Promise<void> => {
      if (depth > FsFileFinder.MAX_DEPTH || signal?.aborted) return;
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!SKIPPED_FOLDERS.has(entry.name)) await walk(path.join(dir, entry.name), childRelative, depth + 1);
        } else if (matchesAny(childRelative, regexps)) {
          // FIFOs, sockets and devices too: the importer skips them with a diagnostic (never a silent gap).
          found.push(path.join(dir, entry.name));
        }
      }
    };
    await walk(root, '', 0);
    return found.sort();
  }
}
