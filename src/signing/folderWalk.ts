// Walking a model or artifact folder without following symlinks, and hashing its files as streams.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';

export interface WalkedFile {
  /** Relative to the walked root, with `/` separators (the same on every OS). */
  readonly path: string;
  readonly size: number;
}

export interface FolderWalk {
  readonly files: readonly WalkedFile[];
  /** Symlinks are reported and never followed: a link can point anywhere, and what it points to can change. */
  readonly symlinks: readonly string[];
  /** Sockets, pipes, devices, unreadable entries. */
  readonly others: readonly string[];
}

/** Files under `root`, sorted by path; `ignore(rel)` drops a path and, for a folder, everything under it. */
export async function walkFolder(root: string, ignore: (relative: string) => boolean = () => false): Promise<FolderWalk> {
  const files: WalkedFile[] = [];
  const symlinks: string[] = [];
  const others: string[] = [];
  const pending = [''];
  while (pending.length > 0) {
    const relativeDir = pending.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(path.join(root, relativeDir), { withFileTypes: true });
    } catch {
      others.push(relativeDir || '.');
      continue;
    }
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (ignore(relative)) continue;
      if (entry.isSymbolicLink()) symlinks.push(relative);
      else if (entry.isDirectory()) pending.push(relative);
      else if (entry.isFile()) files.push({ path: relative, size: (await fs.stat(path.join(root, relative))).size });
      else others.push(relative);
    }
  }
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  files.sort((a, b) => byPath(a.path, b.path));
  return { files, symlinks: symlinks.sort(byPath), others: others.sort(byPath) };
}

/** The hex digest of a file (or of bytes [start, end) of it), read as a stream so model weights never sit in memory. */
export function hashFile(file: string, algorithm = 'sha256', range?: { readonly start: number; readonly end: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm);
    if (range && range.end <= range.start) {
      resolve(hash.digest('hex'));
      return;
    }
    const stream = createReadStream(file, range ? { start: range.start, end: range.end - 1 } : {});
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

/** True when `relative` is `prefix` or lies under it (path components, not string prefixes: `a` does not cover `ab`). */
export function isUnder(relative: string, prefix: string): boolean {
  const clean = prefix.replace(/\/+$/, '');
  return clean === '' || clean === '.' || relative === clean || relative.startsWith(clean + '/');
}

/** A manifest path that would leave its folder (`../x`, `/etc/x`, `a/../../x`) or is not a plain relative path. */
export function escapesFolder(relative: string): boolean {
  if (relative === '' || path.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative) || relative.includes('\\') || relative.includes('\0')) return true;
  return path.posix.normalize(relative).split('/')[0] === '..';
}
