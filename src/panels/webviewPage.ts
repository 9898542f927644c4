// The one HTML page every webview panel serves, host-free (no vscode import) so the browser checks
// serve exactly what the panels serve: a strict CSP where only this page's nonce runs scripts and
// loads styles, the panel's bundle and stylesheet, and the first state inlined as JSON (no round trip).
import { randomBytes } from 'node:crypto';

export interface WebviewPageInput {
  /** `webview.cspSource`: the origin the panel's own files are served from. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The id of the `<script type="application/json">` element holding the first state. */
  readonly stateElementId: string;
  /** The first state, or undefined to wait for the host's first message. */
  readonly initial: unknown;
  readonly title: string;
  readonly nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * JSON that is safe inside a <script> element: `<` (so no `</script>` or `<!--`), `>` and `&` are
 * written as \u escapes, as are U+2028/U+2029. JSON.parse reads them back unchanged.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webviewPage(input: WebviewPageInput): string {
  const nonce = input.nonce ?? makeNonce();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${input.cspSource} 'nonce-${nonce}'`,
    `img-src ${input.cspSource} data:`,
    `font-src ${input.cspSource}`,
  ].join('; ');
  const state = input.initial === undefined ? '' : `<script type="application/json" id="${escapeAttribute(input.stateElementId)}" nonce="${nonce}">${jsonForScriptElement(input.initial)}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeAttribute(input.styleUri)}">
<title>${escapeAttribute(input.title)}</title>
</head>
<body>
<main id="root"></main>
${state}
<script nonce="${nonce}" src="${escapeAttribute(input.scriptUri)}"></script>
</body>
</html>`;
}
