import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';

/**
 * Opening for reading without blocking: a FIFO (or a symlink to one) named like a run file would
 * otherwise block `open()` until a writer appears, forever, and hold a thread of the file-system
 * pool with it. Regular files are unaffected by O_NONBLOCK. (Windows has no FIFOs; the flag is 0.)
 */
export const READ_WITHOUT_BLOCKING = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** Files larger than this are not read whole by an importer: a diagnostic instead. */
export const MAX_WHOLE_FILE_BYTES = 1024 * 1024 * 1024;

/** What a non-regular file is, for the diagnostic that skips it; undefined for a regular file. */
export function notRegular(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  const kind = stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isDirectory() ? 'a folder' : 'not a file';
  return `not a regular file (${kind}): skipped`;
}

/** Opens `file` for reading, refusing (with an error naming why) anything but a regular file. */
export async function openRegularFile(file: string): Promise<fs.FileHandle> {
  const handle = await fs.open(file, READ_WITHOUT_BLOCKING);
  try {
    const why = notRegular(await handle.stat());
    if (why) throw Object.assign(new Error(why), { code: 'ENOTREGULAR' });
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** `fs.readFile` for importers: regular files only, never blocking, at most `maxBytes`. */
export async function readRegularFile(file: string, maxBytes = MAX_WHOLE_FILE_BYTES): Promise<Buffer<ArrayBuffer>> {
  const handle = await openRegularFile(file);
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw Object.assign(new Error(`larger than ${maxBytes} bytes (${size}): not read`), { code: 'ETOOBIG' });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function readRegularText(file: string, maxBytes = MAX_WHOLE_FILE_BYTES): Promise<string> {
  return (await readRegularFile(file, maxBytes)).toString('utf8');
}
