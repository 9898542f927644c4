/**
 * The MLflow REST endpoints Model Ledger uses, typed, with paging followed to the end
 * (`page_token` / `next_page_token`). Shapes as MLflow 2.x sends them.
 */
import { MlflowServerError, type MlflowClient } from './client';

export interface MlflowTag {
  readonly key: string;
  readonly value: string;
}

export interface MlflowExperiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly artifact_location?: string;
  readonly lifecycle_stage?: string;
  readonly creation_time?: number;
  readonly last_update_time?: number;
  readonly tags?: readonly MlflowTag[];
}

export interface MlflowMetric {
  readonly key: string;
  readonly value: number | string;
  readonly timestamp?: number;
  readonly step?: number;
  readonly run_id?: string;
}

export interface MlflowRun {
  readonly info: {
    readonly run_id?: string;
    readonly run_uuid?: string;
    readonly experiment_id: string;
    readonly run_name?: string;
    readonly user_id?: string;
    readonly status?: string;
    readonly start_time?: number;
    readonly end_time?: number;
    readonly artifact_uri?: string;
    readonly lifecycle_stage?: string;
  };
  readonly data?: { readonly metrics?: readonly MlflowMetric[]; readonly params?: readonly MlflowTag[]; readonly tags?: readonly MlflowTag[] };
}

export interface MlflowModelVersion {
  readonly name: string;
  readonly version: string;
  readonly creation_timestamp?: number;
  readonly last_updated_timestamp?: number;
  readonly current_stage?: string;
  readonly description?: string;
  readonly source?: string;
  readonly run_id?: string;
  readonly user_id?: string;
  readonly status?: string;
  readonly tags?: readonly MlflowTag[];
  readonly aliases?: readonly string[];
}

export interface MlflowRegisteredModel {
  readonly name: string;
  readonly creation_timestamp?: number;
  readonly last_updated_timestamp?: number;
  readonly description?: string;
  readonly latest_versions?: readonly MlflowModelVersion[];
  readonly tags?: readonly MlflowTag[];
  readonly aliases?: readonly { readonly alias: string; readonly version: string }[];
}

/** An MLflow 3 LoggedModel as `logged-models/search` and `logged-models/get` return it. */
export interface MlflowLoggedModel {
  readonly info: {
    readonly model_id: string;
    readonly experiment_id: string;
    readonly name: string;
    readonly creation_timestamp_ms?: number;
    readonly last_updated_timestamp_ms?: number;
    readonly artifact_uri?: string;
    readonly status?: string;
    readonly status_message?: string;
    readonly model_type?: string;
    readonly source_run_id?: string;
    readonly tags?: readonly MlflowTag[];
  };
  readonly data?: {
    readonly params?: readonly MlflowTag[];
    readonly metrics?: readonly (MlflowMetric & { readonly dataset_name?: string; readonly dataset_digest?: string })[];
  };
}

/**
 * Every LoggedModel of the experiments, all pages (MLflow >= 3.0). Undefined from a 2.x server,
 * which has no such endpoint: the caller carries on without LoggedModels.
 */
export async function searchLoggedModels(client: MlflowClient, experimentIds: readonly string[]): Promise<MlflowLoggedModel[] | undefined> {
  const out: MlflowLoggedModel[] = [];
  if (experimentIds.length === 0) return out;
  let token: string | undefined;
  try {
    do {
      const page = await client.post<{ models?: MlflowLoggedModel[]; next_page_token?: string }>(
        'logged-models/search',
        { experiment_ids: experimentIds, max_results: 100, ...(token ? { page_token: token } : {}) },
        true,
      );
      out.push(...checkList(client, 'logged-models/search', page.models, 'models'));
      token = page.next_page_token || undefined;
    } while (token);
  } catch (error) {
    if (error instanceof MlflowServerError && error.kind === 'unsupported') return undefined;
    throw error;
  }
  return out;
}

export const RUN_PAGE_SIZE = 1000;

/** Every active experiment (deleted ones too with `all`), all pages. */
export async function searchExperiments(client: MlflowClient, options: { all?: boolean; pageSize?: number } = {}): Promise<MlflowExperiment[]> {
  const out: MlflowExperiment[] = [];
  let token: string | undefined;
  do {
    const page = await client.post<{ experiments?: MlflowExperiment[]; next_page_token?: string }>(
      'experiments/search',
      { max_results: options.pageSize ?? 1000, view_type: options.all ? 'ALL' : 'ACTIVE_ONLY', ...(token ? { page_token: token } : {}) },
      true,
    );
    out.push(...checkList(client, 'experiments/search', page.experiments, 'experiments'));
    token = page.next_page_token || undefined;
  } while (token);
  return out;
}

/** Runs of the experiments, all pages; `filter` is MLflow's filter syntax, applied by the server. */
export async function searchRuns(
  client: MlflowClient,
  options: { experimentIds: readonly string[]; filter?: string; pageSize?: number; orderBy?: readonly string[]; onPage?: (runs: readonly MlflowRun[]) => void },
): Promise<MlflowRun[]> {
  const out: MlflowRun[] = [];
  if (options.experimentIds.length === 0) return out;
  let token: string | undefined;
  do {
    const page = await client.post<{ runs?: MlflowRun[]; next_page_token?: string }>(
      'runs/search',
      {
        experiment_ids: options.experimentIds,
        max_results: options.pageSize ?? RUN_PAGE_SIZE,
        run_view_type: 'ACTIVE_ONLY',
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.orderBy ? { order_by: options.orderBy } : {}),
        ...(token ? { page_token: token } : {}),
      },
      true,
    );
    const runs = checkList(client, 'runs/search', page.runs, 'runs');
    options.onPage?.(runs);
    out.push(...runs);
    token = page.next_page_token || undefined;
  } while (token);
  return out;
}

export async function getRun(client: MlflowClient, runId: string): Promise<MlflowRun> {
  const answer = await client.get<{ run?: MlflowRun }>('runs/get', { run_id: runId });
  if (!answer.run || typeof answer.run !== 'object') throw new MlflowServerError('malformed', client.server, 'GET runs/get', 'the answer has no "run"');
  return answer.run;
}

/** A metric's full history, all pages. */
export async function getMetricHistory(client: MlflowClient, runId: string, key: string, pageSize = 25_000): Promise<MlflowMetric[]> {
  const out: MlflowMetric[] = [];
  let token: string | undefined;
  do {
    const page = await client.get<{ metrics?: MlflowMetric[]; next_page_token?: string }>('metrics/get-history', { run_id: runId, metric_key: key, max_results: pageSize, page_token: token });
    out.push(...checkList(client, 'metrics/get-history', page.metrics, 'metrics', true));
    token = page.next_page_token || undefined;
  } while (token);
  return out;
}

/**
 * A metric of several runs, sampled by the server to at most `maxResults` points per run
 * (`get-history-bulk-interval`, MLflow ≥ 2.8). Undefined when the server does not have the endpoint.
 */
export async function getHistoryBulkInterval(client: MlflowClient, runIds: readonly string[], key: string, maxResults: number): Promise<MlflowMetric[] | undefined> {
  try {
    const answer = await client.get<{ metrics?: MlflowMetric[] }>('metrics/get-history-bulk-interval', { run_ids: runIds, metric_key: key, max_results: maxResults });
    return checkList(client, 'metrics/get-history-bulk-interval', answer.metrics, 'metrics', true);
  } catch (error) {
    if (error instanceof MlflowServerError && error.kind === 'unsupported') return undefined;
    throw error;
  }
}

export async function searchRegisteredModels(client: MlflowClient): Promise<MlflowRegisteredModel[]> {
  const out: MlflowRegisteredModel[] = [];
  let token: string | undefined;
  do {
    const page = await client.get<{ registered_models?: MlflowRegisteredModel[]; next_page_token?: string }>('registered-models/search', { max_results: 1000, page_token: token });
    out.push(...checkList(client, 'registered-models/search', page.registered_models, 'registered_models', true));
    token = page.next_page_token || undefined;
  } while (token);
  return out;
}

export async function searchModelVersions(client: MlflowClient, model: string): Promise<MlflowModelVersion[]> {
  const out: MlflowModelVersion[] = [];
  let token: string | undefined;
  do {
    const page = await client.get<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>('model-versions/search', {
      filter: `name='${model.replace(/'/g, "\\'")}'`,
      max_results: 1000,
      page_token: token,
    });
    out.push(...checkList(client, 'model-versions/search', page.model_versions, 'model_versions', true));
    token = page.next_page_token || undefined;
  } while (token);
  return out;
}

export async function getRegisteredModel(client: MlflowClient, name: string): Promise<MlflowRegisteredModel> {
  const answer = await client.get<{ registered_model?: MlflowRegisteredModel }>('registered-models/get', { name });
  if (!answer.registered_model) throw new MlflowServerError('malformed', client.server, 'GET registered-models/get', 'the answer has no "registered_model"');
  return answer.registered_model;
}

export async function transitionStage(client: MlflowClient, name: string, version: number, stage: string, archiveExistingVersions: boolean): Promise<MlflowModelVersion> {
  const answer = await client.post<{ model_version?: MlflowModelVersion }>('model-versions/transition-stage', {
    name,
    version: String(version),
    stage,
    archive_existing_versions: archiveExistingVersions,
  });
  if (!answer.model_version) throw new MlflowServerError('malformed', client.server, 'POST model-versions/transition-stage', 'the answer has no "model_version"');
  return answer.model_version;
}

export async function setAlias(client: MlflowClient, name: string, alias: string, version: number): Promise<void> {
  await client.post('registered-models/alias', { name, alias, version: String(version) }, true);
}

export async function deleteAlias(client: MlflowClient, name: string, alias: string): Promise<void> {
  await client.delete('registered-models/alias', { name, alias });
}

export async function updateDescription(client: MlflowClient, name: string, version: number | undefined, description: string): Promise<void> {
  if (version === undefined) await client.patch('registered-models/update', { name, description });
  else await client.patch('model-versions/update', { name, version: String(version), description });
}

/** A list field of an answer: missing means empty (MLflow omits empty lists); anything else not a list is malformed. */
function checkList<T>(client: MlflowClient, endpoint: string, value: T[] | undefined, field: string, get = false): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MlflowServerError('malformed', client.server, `${get ? 'GET' : 'POST'} ${endpoint}`, `"${field}" is not a list`);
  return value;
}
