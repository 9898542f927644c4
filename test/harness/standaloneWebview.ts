// A webview page opened outside the workbench (the browser checks of the comparison, drift and
// promotion panels): the --vscode-* variables of VS Code's Dark Modern and Light Modern themes, and a
// stand-in for the webview API that records what the page posts, saves, violates and throws.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';

export const DARK_THEME: Readonly<Record<string, string>> = {
  '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-widget-border': '#313131',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-sideBar-background': '#181818',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-border': 'transparent',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-input-placeholderForeground': '#989898',
  '--vscode-checkbox-background': '#313131',
  '--vscode-checkbox-border': '#3c3c3c',
  '--vscode-checkbox-foreground': '#cccccc',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-editorGroupHeader-tabsBackground': '#181818',
  '--vscode-sideBarSectionHeader-background': '#181818',
  '--vscode-errorForeground': '#f85149',
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-testing-iconFailed': '#f14c4c',
  '--vscode-editorGroup-border': 'rgba(255,255,255,0.09)',
  '--vscode-editorWidget-border': '#313131',
  '--vscode-disabledForeground': 'rgba(204,204,204,0.5)',
  '--vscode-gitDecoration-modifiedResourceForeground': '#e2c08d',
  '--vscode-editor-selectionBackground': '#264f78',
  '--vscode-settings-textInputBackground': '#313131',
  '--vscode-settings-textInputForeground': '#cccccc',
  '--vscode-settings-textInputBorder': '#3c3c3c',
  '--vscode-settings-dropdownBackground': '#313131',
  '--vscode-settings-dropdownForeground': '#cccccc',
  '--vscode-settings-dropdownBorder': '#3c3c3c',
  '--vscode-settings-dropdownListBorder': '#454545',
  '--vscode-settings-checkboxBackground': '#313131',
  '--vscode-settings-checkboxForeground': '#cccccc',
  '--vscode-settings-checkboxBorder': '#3c3c3c',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-widget-shadow': 'rgba(0,0,0,0.36)',
  '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-textBlockQuote-background': '#2b2b2b',
};

export const LIGHT_THEME: Readonly<Record<string, string>> = {
  ...DARK_THEME,
  '--vscode-foreground': '#3b3b3b',
  '--vscode-editor-background': '#ffffff',
  '--vscode-descriptionForeground': '#717171',
  '--vscode-focusBorder': '#005fb8',
  '--vscode-widget-border': '#e5e5e5',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-sideBar-background': '#f8f8f8',
  '--vscode-badge-background': '#cccccc',
  '--vscode-badge-foreground': '#3b3b3b',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-hoverBackground': '#0258a8',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-button-secondaryHoverBackground': '#cccccc',
  '--vscode-input-background': '#ffffff',
  '--vscode-input-foreground': '#3b3b3b',
  '--vscode-input-border': '#cecece',
  '--vscode-input-placeholderForeground': '#767676',
  '--vscode-checkbox-background': '#f8f8f8',
  '--vscode-checkbox-border': '#cecece',
  '--vscode-checkbox-foreground': '#3b3b3b',
  '--vscode-dropdown-background': '#ffffff',
  '--vscode-dropdown-border': '#cecece',
  '--vscode-dropdown-foreground': '#3b3b3b',
  '--vscode-list-hoverBackground': '#f2f2f2',
  '--vscode-list-activeSelectionBackground': '#e8e8e8',
  '--vscode-editorGroupHeader-tabsBackground': '#f8f8f8',
  '--vscode-sideBarSectionHeader-background': '#f8f8f8',
  '--vscode-testing-iconPassed': '#388a34',
  '--vscode-editorGroup-border': '#e5e5e5',
  '--vscode-editorWidget-border': '#e5e5e5',
  '--vscode-disabledForeground': 'rgba(97,97,97,0.5)',
  '--vscode-gitDecoration-modifiedResourceForeground': '#895503',
  '--vscode-editor-selectionBackground': '#add6ff',
  '--vscode-settings-textInputBackground': '#ffffff',
  '--vscode-settings-textInputForeground': '#3b3b3b',
  '--vscode-settings-textInputBorder': '#cecece',
  '--vscode-settings-dropdownBackground': '#ffffff',
  '--vscode-settings-dropdownForeground': '#3b3b3b',
  '--vscode-settings-dropdownBorder': '#cecece',
  '--vscode-settings-dropdownListBorder': '#c8c8c8',
  '--vscode-settings-checkboxBackground': '#f8f8f8',
  '--vscode-settings-checkboxForeground': '#3b3b3b',
  '--vscode-settings-checkboxBorder': '#cecece',
  '--vscode-list-activeSelectionForeground': '#000000',
  '--vscode-widget-shadow': 'rgba(0,0,0,0.16)',
  '--vscode-list-inactiveSelectionBackground': '#e4e6f1',
  '--vscode-textLink-foreground': '#005fb8',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-red': '#e51400',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-purple': '#652d90',
  '--vscode-charts-yellow': '#bf8803',
  '--vscode-editorWarning-foreground': '#bf8803',
  '--vscode-textBlockQuote-background': '#f2f2f2',
  '--vscode-errorForeground': '#a1260d',
};

/**
 * Runs before the page's scripts: window.__posted / __state / __csp / __errors record the page's
 * messages, saved state, CSP violations and errors; the theme's variables go on <html> and its class on
 * <body>, as VS Code does.
 */
export function webviewInitScript(theme: 'dark' | 'light'): string {
  return `
    window.__posted = []; window.__state = undefined; window.__csp = []; window.__errors = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => (window.__state = s),
    });
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
    const vars = ${JSON.stringify(theme === 'dark' ? DARK_THEME : LIGHT_THEME)};
    const themed = new MutationObserver(() => {
      if (document.documentElement && !document.documentElement.style.getPropertyValue('--vscode-foreground')) {
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      }
      if (document.body) {
        document.body.classList.add(${JSON.stringify(theme === 'dark' ? 'vscode-dark' : 'vscode-light')});
        themed.disconnect();
      }
    });
    themed.observe(document, { childList: true, subtree: true });
  `;
}

export async function evaluate<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

/** Serves fixed files from 127.0.0.1 on a free port (the page, its script and stylesheet). */
export function serveFiles(files: Record<string, { type: string; body: string | Buffer }>): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]];
    if (!file) {
      res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}
