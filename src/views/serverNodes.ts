import * as vscode from 'vscode';
import type { Connection } from '../workspace/serverConnections';

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return new Date(ms).toLocaleString();
}

/** The root node of one MLflow server in the Runs or Models view, with its connection status. */
export function serverStatusItem(connection: Connection | undefined, id: string, view: 'runs' | 'models'): vscode.TreeItem {
  const name = connection?.info.name ?? id;
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `server:${id}:${view}`;
  const status = connection?.status ?? { state: 'error' as const, message: 'not connected', at: 0 };
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown('**MLflow Tracking Server** ').appendText(name).appendMarkdown('  \n');
  if (connection) tooltip.appendText(`${connection.info.url} · auth: ${connection.info.authKind}`).appendMarkdown('  \n');
  if (connection?.source.filter) tooltip.appendText(`runs filtered on the server: ${connection.source.filter}`).appendMarkdown('  \n');
  switch (status.state) {
    case 'connecting':
      item.description = 'connecting…';
      item.iconPath = new vscode.ThemeIcon('sync~spin');
      break;
    case 'connected':
      item.description = `connected${connection?.source.filter ? ' · filtered' : ''} · ${ago(status.at)}`;
      item.iconPath = new vscode.ThemeIcon('server-environment', new vscode.ThemeColor('testing.iconPassed'));
      break;
    case 'error':
      item.description = 'offline · stale';
      tooltip.appendText('Showing the cached runs and models; Refresh to try again.').appendMarkdown('  \n');
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      tooltip.appendText(status.message);
      break;
  }
  item.tooltip = tooltip;
  item.contextValue = `server.${status.state}`;
  item.accessibilityInformation = { label: `MLflow server ${name}, ${String(item.description)}` };
  return item;
}
