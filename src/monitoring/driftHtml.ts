// The drift panel's HTML, host-free so the browser check serves exactly what the panel serves.
import { webviewPage } from '../panels/webviewPage';
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

export function driftHtml(input: DriftHtmlInput): string {
  return webviewPage({ ...input, stateElementId: 'drift-state', title: input.title ?? 'Drift report' });
}
