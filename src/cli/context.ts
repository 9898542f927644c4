// What every subcommand shares: its context, the common options, the store it opens.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { NotAStoreError, Store, StoreTooNewError } from '../store';
import { CliError, EXIT_USAGE } from './cliError';

export interface CliOptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly short?: string;
  /** Repeatable (`--cert-chain a.pem --cert-chain b.pem`): the value is then a string array. */
  readonly multiple?: boolean;
}

export interface CliContext {
  readonly values: Record<string, string | boolean | readonly string[] | undefined>;
  readonly positionals: readonly string[];
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, CliOptionSpec>>;
  run(context: CliContext): Promise<number>;
}

/** Options every subcommand takes. */
export const COMMON_OPTIONS: Readonly<Record<string, CliOptionSpec>> = {
  store: { type: 'string', description: 'store file (default: $MODEL_LEDGER_STORE, else a per-folder file in the user cache)' },
  json: { type: 'boolean', description: 'machine-readable output on stdout (diagnostics stay on stderr)' },
  help: { type: 'boolean', short: 'h', description: 'show help for this command' },
};

/** The store a subcommand uses: --store, $MODEL_LEDGER_STORE, or one per working folder in the user's cache. */
export function resolveStorePath(context: CliContext): string {
  const explicit = context.values.store;
  if (typeof explicit === 'string' && explicit.length > 0) {
    return path.resolve(context.cwd, explicit);
  }
  if (context.env.MODEL_LEDGER_STORE) {
    return path.resolve(context.cwd, context.env.MODEL_LEDGER_STORE);
  }
  const cacheHome = context.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = createHash('sha256').update(path.resolve(context.cwd)).digest('hex').slice(0, 12);
  return path.join(cacheHome, 'model-ledger', `${path.basename(context.cwd) || 'root'}-${key}.sqlite`);
}

export async function openCliStore(context: CliContext): Promise<Store> {
  const file = resolveStorePath(context);
  try {
    // A path the user named must already be a store (or not exist); the lock serialises two CLI writers.
    const named = typeof context.values.store === 'string' || !!context.env.MODEL_LEDGER_STORE;
    const { store, report } = await Store.open(file, { saveDelayMs: 0, owned: !named, lock: { onWait: (m) => context.stderr(`model-ledger: ${m}\n`) } });
    if (report.recovered) {
      context.stderr(`model-ledger: ${file}: ${report.recovered.reason}; kept it as ${report.recovered.movedTo} and built a new store.\n`);
    }
    return store;
  } catch (error) {
    if (error instanceof StoreTooNewError) {
      throw new CliError(`${file}: ${error.message}`, EXIT_USAGE);
    }
    if (error instanceof NotAStoreError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}

