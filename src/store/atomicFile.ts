import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const TEMP_MARKER = '.tmp-';

/**
 * Replaces `file` with `bytes` so that a crash at any point leaves either the old or the new
 * content, never a mix: write a temp file in the same folder, fsync it, rename it over the target,
 * then fsync the folder so the rename itself is durable.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const temp = `${file}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await fs.open(temp, 'w', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Not every platform lets a directory be opened for fsync (Windows does not); the rename is
  // still atomic there, only its durability on power loss is weaker.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, fsConstants.O_RDONLY);
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes temp files a crashed writer left beside `file` (older than `olderThanMs`, so a live writer's are kept). */
export async function removeStaleTempFiles(file: string, olderThanMs = 60_000): Promise<string[]> {
  const dir = path.dirname(file);
  const prefix = path.basename(file) + TEMP_MARKER;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return removed;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix)) {
      continue;
    }
    const full = path.join(dir, name);
    try {
      const stat = await fs.stat(full);
      if (now - stat.mtimeMs > olderThanMs) {
        await fs.rm(full, { force: true });
        removed.push(full);
      }
    } catch {
      // vanished meanwhile: fine
    }
  }
  return removed;
}
