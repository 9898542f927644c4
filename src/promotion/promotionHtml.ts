// The promotion panel's HTML, host-free so the browser check serves exactly what the panel serves.
import { webviewPage } from '../panels/webviewPage';
import type { ToPromotionWebview } from '../shared/promotionProtocol';

export interface PromotionHtmlInput {
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The first state, inlined so the first paint does not wait for a round trip. */
  readonly initial: ToPromotionWebview | undefined;
  readonly nonce?: string;
  readonly title?: string;
}

export function promotionHtml(input: PromotionHtmlInput): string {
  return webviewPage({ ...input, stateElementId: 'promotion-state', title: input.title ?? 'Promote' });
}
