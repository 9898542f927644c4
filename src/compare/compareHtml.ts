// The compare panel's HTML, host-free so the browser check serves exactly what the panel serves.
import type { ToCompareWebview } from '../shared/compareProtocol';
import { webviewPage } from '../panels/webviewPage';

export { jsonForScriptElement, makeNonce } from '../panels/webviewPage';

export interface CompareHtmlInput {
  /** `webview.cspSource`: the origin the panel's own files are served from. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The first state, inlined so the first paint does not wait for a round trip. */
  readonly initial: ToCompareWebview | undefined;
  readonly nonce?: string;
  readonly title?: string;
}

export function compareHtml(input: CompareHtmlInput): string {
  return webviewPage({ ...input, stateElementId: 'compare-state', title: input.title ?? 'Compare runs' });
}
