// Typed access to the webview API, shared by every panel's bundle (webview/<panel>/main.ts).
// `acquireVsCodeApi` may be called only once per webview, so every caller goes through here.

interface VsCodeApi<State, Message> {
  postMessage(message: Message): void;
  getState(): State | undefined;
  setState(state: State): State;
}

declare function acquireVsCodeApi<State, Message>(): VsCodeApi<State, Message>;

let api: VsCodeApi<unknown, unknown> | undefined;

export function vscodeApi<State, Message>(): VsCodeApi<State, Message> {
  api ??= acquireVsCodeApi<unknown, unknown>();
  return api as VsCodeApi<State, Message>;
}
