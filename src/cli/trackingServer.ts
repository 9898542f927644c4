// `--tracking-uri URL` (or MLflow's own environment variables) for the read subcommands: the
// server's runs and registry are read into an in-memory store, and the command prints from it
// exactly what it prints for a local store.
import { readFileSync } from 'node:fs';
import { Store } from '../store';
import { checkServerUrl, MlflowClient, MlflowServerError, type ServerAuth } from '../server/client';
import { ServerSource } from '../server/serverSource';
import { serverIdFor } from '../server/serverStore';
import { CliError, EXIT_USAGE, exitCodeForServerError } from './cliError';
import type { CliContext, CliOptionSpec } from './context';

export const TRACKING_URI_OPTIONS: Readonly<Record<string, CliOptionSpec>> = {
  'tracking-uri': {
    type: 'string',
    description:
      'read from an MLflow Tracking Server (default: $MLFLOW_TRACKING_URI when it is http(s)); credentials from $MLFLOW_TRACKING_TOKEN or $MLFLOW_TRACKING_USERNAME/$MLFLOW_TRACKING_PASSWORD',
  },
};

/** The server URL to read from: --tracking-uri, else $MLFLOW_TRACKING_URI when it names an http(s) server. */
export function trackingUri(context: CliContext): string | undefined {
  const explicit = context.values['tracking-uri'];
  if (typeof explicit === 'string') {
    const problem = checkServerUrl(explicit);
    if (problem) throw new CliError(`--tracking-uri: ${problem}`, EXIT_USAGE);
    return explicit;
  }
  // A file store or database URI in the environment is read from disk by `scan`, not through a server.
  const fromEnv = context.env.MLFLOW_TRACKING_URI;
  return fromEnv && /^https?:\/\//i.test(fromEnv) && context.values.store === undefined ? fromEnv : undefined;
}

function authFrom(env: NodeJS.ProcessEnv): ServerAuth {
  if (env.MLFLOW_TRACKING_TOKEN) return { kind: 'bearer', token: env.MLFLOW_TRACKING_TOKEN };
  if (env.MLFLOW_TRACKING_USERNAME) return { kind: 'basic', username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD ?? '' };
  return { kind: 'none' };
}

/**
 * An in-memory store filled from the server (runs unless `runs: false`; the registry unless
 * `registry: false`), or undefined when no server is named. Server errors become CLI errors.
 */
export async function openTrackingStore(
  context: CliContext,
  options: { runs?: boolean; registry?: boolean; filter?: string } = {},
): Promise<{ store: Store; source: ServerSource } | undefined> {
  const url = trackingUri(context);
  if (!url) return undefined;
  const env = context.env;
  const caFile = env.MLFLOW_TRACKING_SERVER_CERT_PATH;
  let ca: string | undefined;
  try {
    ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  } catch (error) {
    throw new CliError(`MLFLOW_TRACKING_SERVER_CERT_PATH: cannot read ${caFile}: ${(error as Error).message}`, EXIT_USAGE);
  }
  const client = new MlflowClient({
    url,
    auth: authFrom(env),
    tls: { ...(ca ? { ca } : {}), ...(/^true$/i.test(env.MLFLOW_TRACKING_INSECURE_TLS ?? '') ? { insecure: true } : {}) },
    ...(env.MLFLOW_HTTP_REQUEST_TIMEOUT ? { timeoutMs: Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT) * 1000 } : {}),
  });
  const { store } = await Store.open(undefined);
  const source = new ServerSource({ id: serverIdFor(url), client, store });
  try {
    if (options.runs === false) {
      if (options.registry !== false) await source.refreshRegistry();
    } else {
      await source.refresh({ registry: options.registry !== false, ...(options.filter ? { filter: options.filter } : {}) });
    }
  } catch (error) {
    client.close();
    await store.close();
    if (error instanceof MlflowServerError) throw new CliError(error.message, exitCodeForServerError(error.kind));
    throw error;
  }
  const close = store.close.bind(store);
  store.close = async () => {
    client.close();
    await close();
  };
  return { store, source };
}
