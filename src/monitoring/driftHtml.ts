// The drift panel's HTML, host-free so the browser check serves exactly what the panel serves.
import { jsonForScriptElement, makeNonce } from '../compare/compareHtml';
import type { ToDriftWebview } from '../shared/driftProtocol';

export interface DriftHtmlInput {
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The first state, inlined so the first paint does not wait for a round trip. */
  readonly initial: ToDriftWebview | undefined;
  readonly nonce?: string;
  readonly title?: string;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function driftHtml(input: DriftHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${input.cspSource} 'nonce-${nonce}'`, `img-src ${input.cspSource} data:`, `font-src ${input.cspSource}`].join('; ');
  const state = input.initial ? `<script type="application/json" id="drift-state" nonce="${nonce}">${jsonForScriptElement(input.initial)}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeAttribute(input.styleUri)}">
<title>${escapeAttribute(input.title ?? 'Drift report')}</title>
</head>
<body>
<main id="root"></main>
${state}
<script nonce="${nonce}" src="${escapeAttribute(input.scriptUri)}"></script>
</body>
</html>`;
}
