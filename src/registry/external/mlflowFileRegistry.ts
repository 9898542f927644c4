import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { parseYamlDocument } from '../../shared/boundedYaml';
import { byName, canonicalMlflowStage, dropUndefined, errorMessage, isMissing, MLFLOW_DELETED_STAGE, presentString } from './common';
import { linkMlflowVersions } from './mlflowModelSource';
import type { ExternalModel, ExternalVersion, RegistryDiagnostic, RegistryReadResult, Stage } from './types';
import { readRegularText } from '../../ingest/regularFile';

/**
 * Reads the model registry of an MLflow file store (`<mlruns>/models/`), read-only.
 *
 * Aliases exist in up to three places: one file per alias in `models/<name>/aliases/`, a snapshot map
 * in `models/<name>/meta.yaml`, and a snapshot list in each `version-<N>/meta.yaml`. The alias FILES
 * are kept: MLflow's FileStore serves aliases from that folder only and rewrites the snapshots as a
 * side effect of other writes (the version lists are written `[]` at creation and refreshed only when
 * that version's meta.yaml is saved again, so they are stale by design). Every disagreement with a
 * snapshot is reported as a warning that names both values; an empty version list is not reported,
 * because it is what MLflow writes for every new version and claims nothing.
 */
export async function readMlflowFileRegistry(mlrunsDir: string): Promise<RegistryReadResult> {
  const location = path.resolve(mlrunsDir);
  const result: RegistryReadResult = { models: [], diagnostics: [] };
  const report = (diagnostic: RegistryDiagnostic) => result.diagnostics.push(diagnostic);
  try {
    const stat = await fs.stat(location);
    if (!stat.isDirectory()) {
      report({ file: location, message: 'not a folder: expected an MLflow store (mlruns/)', severity: 'error' });
      return result;
    }
  } catch (error) {
    report({ file: location, message: `cannot read the MLflow store: ${errorMessage(error)}`, severity: 'error' });
    return result;
  }
  const modelsDir = path.join(location, 'models');
  let entries: string[];
  try {
    entries = await subfolders(modelsDir);
  } catch (error) {
    // A store without models/ simply has no registry: nothing to report.
    if (isMissing(error)) return result;
    report({ file: modelsDir, message: `cannot list registered models: ${errorMessage(error)}`, severity: 'error' });
    return result;
  }
  for (const folder of entries) {
    const modelDir = path.join(modelsDir, folder);
    try {
      const model = await readModel(modelDir, folder, location, report);
      if (model) result.models.push(model);
    } catch (error) {
      report({ file: modelDir, message: `cannot read registered model: ${errorMessage(error)}`, severity: 'error' });
    }
  }
  result.models.sort(byName);
  linkMlflowVersions(result.models);
  return result;
}

type Report = (diagnostic: RegistryDiagnostic) => void;

async function readModel(modelDir: string, folder: string, location: string, report: Report): Promise<ExternalModel | undefined> {
  const metaFile = path.join(modelDir, 'meta.yaml');
  const meta = await readYamlMapping(metaFile, report);
  if (meta === 'missing') {
    report({ file: metaFile, message: `registered model folder "${folder}" has no meta.yaml; its versions are read under the folder name`, severity: 'warning' });
  }
  const metaMap = typeof meta === 'string' ? undefined : meta;
  const metaName = metaMap ? scalarText(metaMap.get('name', true)) : undefined;
  if (metaName !== undefined && metaName !== folder) {
    report({ file: metaFile, message: `name "${metaName}" differs from its folder "${folder}"; kept the name in meta.yaml`, severity: 'warning' });
  }
  const name = metaName ?? folder;
  const model: ExternalModel = {
    name,
    origin: 'mlflow-file',
    location,
    description: metaMap ? presentString(scalarText(metaMap.get('description', true))) : undefined,
    createdAt: metaMap ? millis(metaMap, 'creation_timestamp', metaFile, report) : undefined,
    updatedAt: metaMap ? millis(metaMap, 'last_updated_timestamp', metaFile, report) : undefined,
    tags: await readValueFiles(path.join(modelDir, 'tags'), report),
    aliases: {},
    versions: [],
  };

  const metaVersionAliases = new Map<number, { file: string; aliases: string[] }>();
  const seen = new Set<number>();
  for (const entry of await subfolders(modelDir).catch(() => [] as string[])) {
    if (!entry.startsWith('version-')) continue;
    const read = await readVersion(path.join(modelDir, entry), entry, name, report);
    if (!read) continue;
    if (seen.has(read.version.version)) {
      report({ file: path.join(modelDir, entry), message: `version ${read.version.version} appears twice; kept the first folder read`, severity: 'warning' });
      continue;
    }
    seen.add(read.version.version);
    model.versions.push(read.version);
    if (read.metaAliases.length > 0) metaVersionAliases.set(read.version.version, { file: read.metaFile, aliases: read.metaAliases });
  }
  model.versions.sort((a, b) => a.version - b.version);

  const aliasesDir = path.join(modelDir, 'aliases');
  const fileAliases = parseAliasFiles(aliasesDir, await readValueFiles(aliasesDir, report), report);
  if (metaMap?.has('aliases')) {
    compareAliasMaps(fileAliases, readMetaAliasMap(metaMap, metaFile, report), aliasesDir, metaFile, report);
  }
  for (const [alias, version] of Object.entries(fileAliases)) {
    const target = model.versions.find((v) => v.version === version);
    if (!target || target.deleted) {
      const why = target ? 'is soft-deleted' : 'does not exist';
      report({ file: path.join(aliasesDir, alias), message: `alias "${alias}" points to version ${version}, which ${why}; alias ignored`, severity: 'warning' });
      continue;
    }
    model.aliases[alias] = version;
    target.aliases.push(alias);
  }
  for (const version of model.versions) {
    version.aliases.sort();
    const listed = metaVersionAliases.get(version.version);
    if (listed && !sameMembers(listed.aliases, version.aliases)) {
      report({
        file: listed.file,
        message: `aliases list [${listed.aliases.join(', ')}] disagrees with the aliases/ folder, which gives version ${version.version} [${version.aliases.join(', ')}]; kept the aliases/ folder (what MLflow serves)`,
        severity: 'warning',
      });
    }
  }
  return dropUndefined(model);
}

async function readVersion(
  versionDir: string,
  folder: string,
  modelName: string,
  report: Report,
): Promise<{ version: ExternalVersion; metaFile: string; metaAliases: string[] } | undefined> {
  const metaFile = path.join(versionDir, 'meta.yaml');
  const meta = await readYamlMapping(metaFile, report);
  if (meta === 'missing') {
    report({ file: versionDir, message: `model version folder "${folder}" has no meta.yaml; version skipped`, severity: 'warning' });
    return undefined;
  }
  if (meta === 'invalid') return undefined;

  const fromFolder = /^version-(\d+)$/.exec(folder)?.[1];
  const folderNumber = fromFolder !== undefined ? safeInteger(fromFolder) : undefined;
  const metaNumber = integerField(meta, 'version');
  let version: number;
  if (typeof metaNumber === 'number') {
    version = metaNumber;
    if (folderNumber !== undefined && folderNumber !== metaNumber) {
      report({ file: metaFile, message: `version ${metaNumber} differs from its folder "${folder}"; kept the version in meta.yaml`, severity: 'warning' });
    }
  } else if (folderNumber !== undefined) {
    version = folderNumber;
    report({ file: metaFile, message: `no valid "version" field; used ${folderNumber} from the folder name`, severity: 'warning' });
  } else {
    report({ file: metaFile, message: 'no valid version number in meta.yaml or in the folder name; version skipped', severity: 'warning' });
    return undefined;
  }

  const metaName = scalarText(meta.get('name', true));
  if (metaName !== undefined && metaName !== modelName) {
    report({ file: metaFile, message: `belongs to model "${metaName}" but is stored under "${modelName}"; read as "${modelName}"`, severity: 'warning' });
  }

  const rawStage = scalarText(meta.get('current_stage', true));
  let stage: Stage = 'None';
  let deleted: boolean | undefined;
  if (rawStage === MLFLOW_DELETED_STAGE) {
    deleted = true;
  } else if (rawStage !== undefined) {
    const canonical = canonicalMlflowStage(rawStage);
    if (canonical) stage = canonical;
    else report({ file: metaFile, message: `unknown current_stage "${rawStage}"; read as None`, severity: 'warning' });
  }

  const entry: ExternalVersion = {
    version,
    stage,
    aliases: [],
    runId: presentString(scalarText(meta.get('run_id', true))),
    source: presentString(scalarText(meta.get('source', true))),
    description: presentString(scalarText(meta.get('description', true))),
    createdAt: millis(meta, 'creation_timestamp', metaFile, report),
    updatedAt: millis(meta, 'last_updated_timestamp', metaFile, report),
    createdBy: presentString(scalarText(meta.get('user_id', true))),
    status: presentString(scalarText(meta.get('status', true))),
    tags: await readValueFiles(path.join(versionDir, 'tags'), report),
    modelId: presentString(scalarText(meta.get('model_id', true))),
  };
  if (deleted) entry.deleted = true;
  const listNode = meta.get('aliases', true);
  const metaAliases = isSeq(listNode) ? listNode.items.map(scalarText).filter((a): a is string => a !== undefined) : [];
  return { version: dropUndefined(entry), metaFile, metaAliases };
}

function parseAliasFiles(aliasesDir: string, bodies: Record<string, string>, report: Report): Record<string, number> {
  const aliases: Record<string, number> = {};
  for (const [alias, body] of Object.entries(bodies)) {
    const version = /^\s*\d+\s*$/.test(body) ? safeInteger(body.trim()) : undefined;
    if (version === undefined) {
      report({ file: path.join(aliasesDir, alias), message: `alias "${alias}" holds ${JSON.stringify(body.slice(0, 40))}, not a version number; alias ignored`, severity: 'warning' });
      continue;
    }
    aliases[alias] = version;
  }
  return aliases;
}

function readMetaAliasMap(meta: YAMLMap, metaFile: string, report: Report): Record<string, string> {
  const node = meta.get('aliases', true);
  const aliases: Record<string, string> = {};
  if (isMap(node)) {
    for (const pair of node.items) {
      const alias = scalarText(pair.key);
      const version = scalarText(pair.value);
      if (alias !== undefined) aliases[alias] = version ?? '';
    }
  } else if (!(isSeq(node) && node.items.length === 0) && !(isScalar(node) && node.value === null)) {
    report({ file: metaFile, message: '"aliases" is not a map of alias → version; not compared with the aliases/ folder', severity: 'warning' });
  }
  return aliases;
}

function compareAliasMaps(fromFiles: Record<string, number>, fromMeta: Record<string, string>, aliasesDir: string, metaFile: string, report: Report): void {
  for (const alias of [...new Set([...Object.keys(fromFiles), ...Object.keys(fromMeta)])].sort()) {
    const fileVersion = fromFiles[alias];
    const metaVersion = fromMeta[alias];
    if (fileVersion !== undefined && metaVersion === undefined) {
      report({ file: metaFile, message: `alias "${alias}" → ${fileVersion} is in aliases/ but missing from meta.yaml's aliases map; kept aliases/${alias}`, severity: 'warning' });
    } else if (fileVersion === undefined && metaVersion !== undefined) {
      report({
        file: metaFile,
        message: `meta.yaml's aliases map has "${alias}" → ${metaVersion} but there is no valid aliases/${alias} file; not kept (MLflow serves aliases from the folder only)`,
        severity: 'warning',
      });
    } else if (fileVersion !== undefined && metaVersion !== undefined && String(fileVersion) !== metaVersion.trim()) {
      report({
        file: path.join(aliasesDir, alias),
        message: `alias "${alias}": aliases/${alias} says version ${fileVersion}, meta.yaml says ${metaVersion}; kept ${fileVersion} from aliases/ (what MLflow serves)`,
        severity: 'warning',
      });
    }
  }
}

/** Tag and alias folders: one file per key, the body is the value (MLflow nests keys containing '/'). */
async function readValueFiles(dir: string, report: Report): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  const walk = async (current: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch (error) {
      if (!isMissing(error)) report({ file: current, message: `cannot list: ${errorMessage(error)}`, severity: 'warning' });
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      const key = prefix + entry.name;
      if (entry.isDirectory()) {
        await walk(full, `${key}/`);
      } else if (entry.isFile()) {
        try {
          values[key] = await readRegularText(full);
        } catch (error) {
          report({ file: full, message: `cannot read: ${errorMessage(error)}`, severity: 'warning' });
        }
      }
    }
  };
  await walk(dir, '');
  return values;
}

async function readYamlMapping(file: string, report: Report): Promise<YAMLMap | 'missing' | 'invalid'> {
  let text: string;
  try {
    text = await readRegularText(file);
  } catch (error) {
    if (isMissing(error)) return 'missing';
    report({ file, message: `cannot read: ${errorMessage(error)}`, severity: 'error' });
    return 'invalid';
  }
  // Big integers stay exact: a value is read back as the text that was written, never as a rounded double.
  let document: Document.Parsed;
  try {
    document = parseYamlDocument(text, { intAsBigInt: true });
  } catch (error) {
    report({ file, message: errorMessage(error), severity: 'error' });
    return 'invalid';
  }
  const firstError = document.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0]?.line;
    report({
      file,
      ...(line !== undefined ? { position: `line ${line}`, line: line - 1 } : {}),
      message: `malformed YAML: ${firstError.message.split('\n')[0]}`,
      severity: 'error',
    });
    return 'invalid';
  }
  if (!isMap(document.contents)) {
    report({ file, message: text.trim() === '' ? 'empty meta.yaml' : 'meta.yaml is not a YAML mapping', severity: 'error' });
    return 'invalid';
  }
  return document.contents;
}

/** The scalar as written (`1.0` stays "1.0", `12345678901234567890` keeps every digit); null → undefined. */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

function integerField(map: YAMLMap, key: string): number | 'invalid' | undefined {
  const text = scalarText(map.get(key, true));
  if (text === undefined) return undefined;
  return /^[+-]?\d+$/.test(text.trim()) ? (safeInteger(text.trim()) ?? 'invalid') : 'invalid';
}

function millis(map: YAMLMap, key: string, file: string, report: Report): number | undefined {
  const value = integerField(map, key);
  if (value === 'invalid') {
    report({ file, message: `"${key}" is not a whole number of milliseconds: ${scalarText(map.get(key, true))}; ignored`, severity: 'warning' });
    return undefined;
  }
  return value;
}

function safeInteger(text: string): number | undefined {
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : undefined;
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

function sameMembers(a: string[], b: string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, i) => value === right[i]);
}
