// The Runs Table panel's HTML, host-free so the browser check serves exactly what the panel serves.
import type { ToRunsTableWebview } from '../shared/runsTableProtocol';
import { webviewPage } from '../panels/webviewPage';

export interface RunsTableHtmlInput {
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The first state (view, summary, first window), inlined so the first paint needs no round trip. */
  readonly initial: ToRunsTableWebview | undefined;
  readonly nonce?: string;
  readonly title?: string;
}

export function runsTableHtml(input: RunsTableHtmlInput): string {
  return webviewPage({ ...input, stateElementId: 'runs-table-state', title: input.title ?? 'Runs Table' });
}
