import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImportContext } from '../types';
import { problemReporter } from './problems';
import { flattenYamlParams } from './yamlParams';
import { readRegularText } from '../regularFile';

interface ParamsCursorState {
  readonly params: Record<string, string>;
}

/** Params files are small but hand-written: anything this large is not one. */
const MAX_PARAMS_BYTES = 16 * 1024 * 1024;

/**
 * The flattened params of a YAML file, re-parsed only when the file changed (its problems are
 * reported once per change, not on every import of a run that is still training).
 * Returns undefined when the file does not exist.
 */
export async function readYamlParamsFile(file: string, separator: '/' | '.', context: ImportContext): Promise<Record<string, string> | undefined> {
  const cursor = context.cursor(file);
  const cached = (cursor?.state as ParamsCursorState | undefined)?.params;
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    context.sink.diagnostic({ file, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
    return cached ?? {};
  }
  if (!stat.isFile()) return undefined;
  if (cursor !== undefined && cached !== undefined && cursor.size === stat.size && cursor.mtimeMs === stat.mtimeMs) return cached;
  const reporter = problemReporter(context.sink, file);
  let params: Record<string, string> = {};
  if (stat.size > MAX_PARAMS_BYTES) {
    reporter.report({ message: `${stat.size} bytes: too large for a params file; skipped`, severity: 'error' });
  } else {
    try {
      const text = await readRegularText(file);
      const parsed = flattenYamlParams(text, separator, path.basename(file));
      params = parsed.params;
      for (const problem of parsed.problems) reporter.report(problem);
    } catch (error) {
      if (isMissing(error)) return undefined;
      reporter.report({ message: `cannot read: ${(error as Error).message}`, severity: 'error' });
      return cached ?? {};
    }
  }
  reporter.finish();
  context.setCursor(file, { size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, head: '', state: { params } satisfies ParamsCursorState });
  return params;
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
