// The Runs view's MLflow 3 LoggedModel rows: the model (status, type) and what it expands to —
// params, tags, metrics per dataset, artifacts (open/reveal) and the registry versions built on it.
import path from 'node:path';
import * as vscode from 'vscode';
import type { Database } from 'sql.js';
import { loggedModelPairs, loggedModelPoints, loggedModelSeries, type LoggedModelRow } from '../tracking/loggedModels';
import { rows } from '../tracking/queries';
import { formatNumber } from '../shared/format';

export interface ModelDetailNode {
  readonly kind: 'modelDetail';
  readonly folder: vscode.WorkspaceFolder;
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly icon: string;
  readonly tooltip?: string;
  readonly command?: vscode.Command;
  readonly children?: readonly ModelDetailNode[];
}

const STATUS_ICONS: Record<string, vscode.ThemeIcon> = {
  READY: new vscode.ThemeIcon('package', new vscode.ThemeColor('testing.iconPassed')),
  PENDING: new vscode.ThemeIcon('clock'),
  FAILED: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

/** A detail row (label, description, icon, tooltip, command; collapsible when it has children), in the Runs or Models view. */
export function detailItem(
  node: { readonly id: string; readonly label: string; readonly description?: string; readonly icon: string; readonly tooltip?: string; readonly command?: vscode.Command; readonly children?: readonly unknown[] },
  contextValue: string,
): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, node.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  if (node.description !== undefined) item.description = node.description;
  item.iconPath = new vscode.ThemeIcon(node.icon);
  if (node.tooltip !== undefined) item.tooltip = node.tooltip;
  if (node.command) item.command = node.command;
  item.contextValue = contextValue;
  return item;
}

export function loggedModelItem(folder: vscode.WorkspaceFolder, m: LoggedModelRow): vscode.TreeItem {
  const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${folder.uri.toString()}#loggedModel:${m.uid}`;
  item.iconPath = STATUS_ICONS[m.status] ?? new vscode.ThemeIcon('package');
  item.description = ['model', m.status.toLowerCase(), m.modelType].filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown('**').appendText(m.name).appendMarkdown('** — LoggedModel  \n');
  tooltip.appendText(`${m.modelId} · ${m.status}${m.modelType ? ` · ${m.modelType}` : ''} · ${m.experiment}`).appendMarkdown('  \n');
  if (m.statusMessage) tooltip.appendText(m.statusMessage).appendMarkdown('  \n');
  tooltip.appendText(m.sourceRunId ? `source run ${m.sourceRunId}` : 'logged without a run');
  item.tooltip = tooltip;
  item.contextValue = `loggedModel.${m.status.toLowerCase()}`;
  item.accessibilityInformation = { label: `LoggedModel ${m.name}, ${m.status.toLowerCase()}` };
  return item;
}

/** The children of a LoggedModel row. */
export function loggedModelDetails(db: Database, folder: vscode.WorkspaceFolder, m: LoggedModelRow): ModelDetailNode[] {
  const prefix = `${folder.uri.toString()}#loggedModel:${m.uid}`;
  const detail = (id: string, label: string, icon: string, extra: Partial<ModelDetailNode> = {}): ModelDetailNode => ({ kind: 'modelDetail', folder, id: `${prefix}:${id}`, label, icon, ...extra });
  const out: ModelDetailNode[] = [];
  const group = (id: string, label: string, icon: string, children: ModelDetailNode[]) => {
    if (children.length > 0) out.push(detail(id, label, icon, { description: String(children.length), children }));
  };
  const series = loggedModelSeries(loggedModelPoints(db, m.id)).sort((a, b) => a.summary.key.localeCompare(b.summary.key) || a.summary.dataset.localeCompare(b.summary.dataset));
  group(
    'metrics',
    'Metrics',
    'graph-line',
    series.map(({ summary: s }) =>
      detail(`metric:${s.key}:${s.dataset}`, s.dataset ? `${s.key} · ${s.dataset}` : s.key, 'symbol-number', {
        description: `${formatNumber(s.last!.value)} @ step ${s.last!.step}`,
        tooltip: s.dataset ? `logged against dataset ${s.dataset}${s.datasetDigest ? ` (digest ${s.datasetDigest})` : ''}; ${s.pointCount} point(s)` : `${s.pointCount} point(s)`,
      }),
    ),
  );
  group('params', 'Params', 'symbol-parameter', loggedModelPairs(db, m.id, 'logged_model_params').map(([k, v]) => detail(`param:${k}`, k, 'symbol-constant', { description: v })));
  group('tags', 'Tags', 'tag', loggedModelPairs(db, m.id, 'logged_model_tags').map(([k, v]) => detail(`tag:${k}`, k, 'tag', { description: v.length > 80 ? `${v.slice(0, 79)}…` : v, tooltip: v })));
  group('artifacts', 'Artifacts', 'files', artifactNodes(db, folder, m, detail));
  const versions = rows(
    db,
    `SELECT mo.name, v.version, v.stage, mo.origin FROM model_versions v JOIN models mo ON mo.id = v.model_id
      WHERE v.logged_model_id = ? ORDER BY mo.name, v.version`,
    [m.modelId],
    (r) => ({ name: String(r[0]), version: Number(r[1]), stage: String(r[2]), origin: String(r[3]) }),
  );
  group('versions', 'Registry versions', 'versions', versions.map((v) => detail(`version:${v.origin}:${v.name}:${v.version}`, `${v.name} v${v.version}`, 'tag', { description: `${v.stage} · ${v.origin}` })));
  return out;
}

/** Artifacts of a file-store LoggedModel, opened or revealed where they are in the workspace. */
function artifactNodes(
  db: Database,
  folder: vscode.WorkspaceFolder,
  m: LoggedModelRow,
  detail: (id: string, label: string, icon: string, extra?: Partial<ModelDetailNode>) => ModelDetailNode,
): ModelDetailNode[] {
  if (m.format !== 'mlflow-file' || !m.sourcePath) return [];
  const root = path.join(folder.uri.fsPath, ...m.sourcePath.split('/'), 'artifacts');
  return rows(db, 'SELECT path, size, is_dir FROM logged_model_artifacts WHERE model_id = ? ORDER BY path', [m.id], (r) => ({ path: String(r[0]), size: r[1] === null ? undefined : Number(r[1]), isDir: Boolean(r[2]) }))
    .filter((a) => !a.path.includes('/'))
    .map((a) => {
      const uri = vscode.Uri.file(path.join(root, ...a.path.split('/')));
      return detail(`artifact:${a.path}`, a.path, a.isDir ? 'folder' : 'file', {
        ...(a.size !== undefined ? { description: `${a.size} B` } : {}),
        tooltip: uri.fsPath,
        command: a.isDir ? { title: 'Reveal', command: 'revealInExplorer', arguments: [uri] } : { title: 'Open', command: 'vscode.open', arguments: [uri] },
      });
    });
}
