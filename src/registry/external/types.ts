// The plain data model every external registry reader returns: no host, no store, no I/O.

export type RegistryOrigin = 'mlflow-file' | 'mlflow-sqlite' | 'gto';
export type Stage = 'None' | 'Staging' | 'Production' | 'Archived';

export interface ExternalVersion {
  version: number;
  stage: Stage;
  aliases: string[];
  runId?: string;
  source?: string;
  description?: string;
  createdAt?: number;
  updatedAt?: number;
  createdBy?: string;
  status?: string;
  tags: Record<string, string>;
  deleted?: boolean;
  /** MLflow 3: the LoggedModel (`m-<id>`) behind the version. */
  modelId?: string;
  /** MLflow 3 copy_model_version: the version this one was copied from. */
  copiedFrom?: { name: string; version: number };
}

export interface ExternalModel {
  name: string;
  origin: RegistryOrigin;
  /** Absolute path of the store / db / repo. */
  location: string;
  description?: string;
  createdAt?: number;
  updatedAt?: number;
  tags: Record<string, string>;
  aliases: Record<string, number>;
  versions: ExternalVersion[];
}

export interface RegistryReadResult {
  models: ExternalModel[];
  diagnostics: { file: string; position?: string; line?: number; message: string; severity: 'error' | 'warning' | 'info' }[];
}

export type RegistryDiagnostic = RegistryReadResult['diagnostics'][number];
