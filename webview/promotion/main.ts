// The promotion panel's webview: a pure renderer of the state the host sends
// (src/shared/promotionProtocol.ts). Ledger and run strings are untrusted: always set as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import {
  PROMOTION_STAGES,
  isToPromotionWebview,
  type FromPromotionWebview,
  type GateRow,
  type PromotionPanelRef,
  type PromotionState,
  type PromotionVersion,
  type StageName,
  type ToPromotionWebview,
} from '../../src/shared/promotionProtocol';
import { vscodeApi } from '../shared/vscodeApi';
import '../shared/base.css';
import './styles.css';
import { formatNumber } from '../../src/shared/format';

interface SavedState {
  readonly tab: 'promotion' | 'history';
  readonly filter: string;
  readonly action: string;
  /** What the panel shows, so that VS Code can restore it after a window reload (the host's serializer reads it). */
  readonly panel?: PromotionPanelRef;
}

const api = vscodeApi<SavedState, FromPromotionWebview>();
const post = (message: FromPromotionWebview) => api.postMessage(message);

let state: PromotionState | undefined;
let tab: SavedState['tab'] = api.getState()?.tab ?? 'promotion';
let historyFilter = api.getState()?.filter ?? '';
let historyAction = api.getState()?.action ?? '';
let result: Extract<ToPromotionWebview, { type: 'result' }> | undefined;
/** Typed text survives re-renders (the host re-sends the state whenever the ledger or policy changes). */
let reasonText = '';
let justificationText = '';
let busy = false;

const root = document.getElementById('root')!;

function save(): void {
  api.setState({ tab, filter: historyFilter, action: historyAction, ...(state ? { panel: { folder: state.folder, model: state.model, version: state.candidate.version, target: state.target } } : {}) });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(id: string, label: string, onClick: () => void, options: { secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = id;
  b.textContent = label;
  if (options.secondary) b.setAttribute('secondary', '');
  if (options.disabled) b.setAttribute('disabled', '');
  if (options.title) b.title = options.title;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function table(headers: readonly string[], className: string): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const t = el('table', className);
  const head = t.createTHead().insertRow();
  for (const h of headers) head.appendChild(el('th', undefined, h));
  return { table: t, body: t.createTBody() };
}

function row(body: HTMLTableSectionElement, cells: readonly (string | Node)[], className?: string): HTMLTableRowElement {
  const r = body.insertRow();
  if (className) r.className = className;
  for (const c of cells) {
    const td = r.insertCell();
    if (typeof c === 'string') td.textContent = c;
    else td.appendChild(c);
  }
  return r;
}

function section(title: string, id: string): HTMLElement {
  const s = el('section', 'section');
  s.id = id;
  s.appendChild(el('h2', undefined, title));
  return s;
}

function versionLabel(v: PromotionVersion | null, stage: StageName): string {
  return v ? `v${v.version} (${v.stage})` : `nothing in ${stage}`;
}

function sideBySide(s: PromotionState): HTMLElement {
  const box = section(s.current ? `Candidate v${s.candidate.version} vs ${s.target} v${s.current.version}` : `Candidate v${s.candidate.version} (nothing in ${s.target} yet)`, 'compare');
  const { table: t, body } = table(['', `Candidate ${versionLabel(s.candidate, s.candidate.stage)}`, `In ${s.target}: ${versionLabel(s.current, s.target)}`], 'side');
  const runText = (v: PromotionVersion | null) => (v ? (v.runName ? `${v.runName}${v.experiment ? ` · ${v.experiment}` : ''}` : v.runUid ? `${v.runUid} (not in the store)` : (v.source ?? 'none')) : '–');
  row(body, ['Description', s.candidate.description ?? '–', s.current ? (s.current.description ?? '–') : '–']);
  row(body, ['Source run', runText(s.candidate), runText(s.current)]);
  row(body, ['Registered', `${s.candidate.createdBy}, ${formatTime(s.candidate.createdAt)}`, s.current ? `${s.current.createdBy}, ${formatTime(s.current.createdAt)}` : '–']);
  row(body, ['Aliases', s.candidate.aliases.map((a) => `@${a}`).join(' ') || '–', s.current ? s.current.aliases.map((a) => `@${a}`).join(' ') || '–' : '–']);
  row(body, ['Data drift', s.drift ? `drift share ${formatNumber(s.drift.share)}` : 'no drift report', '–'], 'drift');
  box.appendChild(t);

  box.appendChild(el('h3', undefined, `Metrics (last values)`));
  if (s.metrics.length === 0) box.appendChild(el('p', 'muted', 'No metrics: the source runs are not in the store, or logged none.'));
  else {
    const m = table(['Metric', 'Candidate', s.current ? `v${s.current.version}` : 'Current', 'Δ'], 'metrics');
    for (const metric of s.metrics) {
      const delta = metric.candidate !== null && metric.current !== null ? metric.candidate - metric.current : null;
      const deltaCell = el('span', delta === null || delta === 0 || metric.direction === 'neutral' ? '' : (delta > 0) === (metric.direction === 'max') ? 'better' : 'worse', delta === null ? '–' : `${delta > 0 ? '+' : ''}${formatNumber(delta)}`);
      row(m.body, [metric.key, formatNumber(metric.candidate), formatNumber(metric.current), deltaCell]);
    }
    box.appendChild(m.table);
  }
  box.appendChild(el('h3', undefined, s.current ? `Params that differ (${s.params.length} of ${s.paramCount})` : `Params (${s.paramCount})`));
  if (s.params.length === 0) box.appendChild(el('p', 'muted', s.paramCount ? 'Every param is the same.' : 'No params recorded.'));
  else {
    const p = table(['Param', 'Candidate', s.current ? `v${s.current.version}` : 'Current'], 'params');
    for (const param of s.params) row(p.body, [param.key, param.candidate ?? '–', param.current ?? '–']);
    box.appendChild(p.table);
  }
  return box;
}

function gateStatus(g: GateRow): { status: GateRow['status']; reason: string } {
  if (g.needsReason) return reasonText.trim() ? { status: 'pass', reason: 'the move has a reason' } : { status: 'fail', reason: 'no reason given for the move: write one below' };
  return { status: g.status, reason: g.reason };
}

const STATUS_TEXT: Record<GateRow['status'], string> = { pass: '✔ pass', fail: '✘ fail', 'not-evaluable': '? not evaluable' };

function gatesSection(s: PromotionState): HTMLElement {
  const box = section(`Gates for ${s.target}`, 'gates');
  const line = el('p', 'policy-line');
  if (s.policy.state === 'missing') line.textContent = `No policy file (${s.policy.file}): no gates, every move is allowed.`;
  else if (s.policy.state === 'invalid') line.textContent = `The policy ${s.policy.file} has errors; promotion is blocked until they are fixed.`;
  else if (s.policy.scope === null) line.textContent = `${s.policy.file} has no rule for ${s.target}: no gates apply.`;
  else line.textContent = `${s.policy.file}, rule "${s.policy.scope}" → ${s.target}${s.policy.allowOverride ? ' · override allowed with a justification' : ' · no override'}`;
  box.appendChild(line);
  const open = button('open-policy', 'Open Policy', () => post({ type: 'openPolicy' }), { secondary: true });
  line.appendChild(document.createTextNode(' '));
  line.appendChild(open);
  for (const problem of s.policy.problems) box.appendChild(el('p', 'error', problem));
  if (s.gates.length) {
    const g = table(['Gate', 'Value', 'Threshold', 'Result', 'Why'], 'gates');
    for (const gate of s.gates) {
      const { status, reason } = gateStatus(gate);
      const r = row(g.body, [gate.gate, formatNumber(gate.value), formatNumber(gate.threshold), el('span', `status ${status}`, STATUS_TEXT[status]), reason], 'gate-row');
      r.dataset.status = status;
      r.title = `policy line ${gate.line}`;
    }
    box.appendChild(g.table);
  }
  return box;
}

function approvalsSection(s: PromotionState): HTMLElement {
  const box = section(`Approvals for ${s.target} (${s.approvals.length})`, 'approvals');
  if (s.approvals.length === 0) box.appendChild(el('p', 'muted', 'No approvals yet.'));
  else {
    const list = el('ul', 'approval-list');
    for (const a of s.approvals) list.appendChild(el('li', undefined, `${a.name}${a.email ? ` <${a.email}>` : ''} · ${formatTime(a.time)}`));
    box.appendChild(list);
  }
  const me = `${s.identity.name}${s.identity.email ? ` <${s.identity.email}>` : ''}`;
  const approve = button('approve', s.approvedByMe ? `Approved by you` : `Approve as ${me}`, () => act({ type: 'approve' }), { secondary: true, disabled: s.approvedByMe || busy || s.candidate.stage === s.target });
  box.appendChild(approve);
  return box;
}

function decisionSection(s: PromotionState): HTMLElement {
  const box = section('Decision', 'decision');
  const reasonLabel = el('label', 'field-label', 'Reason (recorded in the ledger)');
  reasonLabel.htmlFor = 'reason';
  const reason = el('textarea', 'text');
  reason.id = 'reason';
  reason.rows = 2;
  reason.placeholder = 'Why this move: evidence, ticket, who asked';
  reason.value = reasonText;
  box.append(reasonLabel, reason);

  const gatesOk = () => s.gates.every((g) => gateStatus(g).status === 'pass');
  const actions = el('div', 'actions');
  const promote = button('promote', `Promote v${s.candidate.version} to ${s.target}`, () => act({ type: 'promote', reason: reasonText }), { disabled: true });
  actions.appendChild(promote);
  const note = el('span', 'note');
  actions.appendChild(note);
  box.appendChild(actions);

  let overrideButton: HTMLElement | undefined;
  let justification: HTMLTextAreaElement | undefined;
  if (!s.gatesPass || s.gates.some((g) => g.needsReason)) {
    if (s.policy.allowOverride) {
      const overrideBox = el('div', 'override');
      const label = el('label', 'field-label', 'Override: written justification (recorded as an override)');
      label.htmlFor = 'override-justification';
      justification = el('textarea', 'text');
      justification.id = 'override-justification';
      justification.rows = 2;
      justification.value = justificationText;
      overrideButton = button('promote-override', 'Promote with Override', () => act({ type: 'promote', reason: reasonText, justification: justificationText }), { secondary: true, disabled: true });
      overrideBox.append(label, justification, overrideButton);
      box.appendChild(overrideBox);
    } else if (s.gates.length) {
      box.appendChild(el('p', 'muted', 'The policy does not allow an override for this move.'));
    }
  }
  const update = () => {
    const ok = !s.blocked && gatesOk() && !busy;
    promote.toggleAttribute('disabled', !ok);
    note.textContent = s.blocked ? s.blocked : gatesOk() ? (s.gates.length ? 'Every gate passes.' : 'No gates apply.') : `${s.gates.filter((g) => gateStatus(g).status !== 'pass').length} gate(s) do not pass.`;
    note.className = `note ${s.blocked || !gatesOk() ? 'error' : 'ok'}`;
    overrideButton?.toggleAttribute('disabled', !!s.blocked || gatesOk() || busy || justificationText.trim() === '');
    for (const r of Array.from(document.querySelectorAll<HTMLTableRowElement>('tr.gate-row'))) {
      const gate = s.gates[r.sectionRowIndex];
      if (!gate?.needsReason) continue;
      const { status, reason: why } = gateStatus(gate);
      r.dataset.status = status;
      const cells = r.cells;
      cells[3].replaceChildren(el('span', `status ${status}`, STATUS_TEXT[status]));
      cells[4].textContent = why;
    }
  };
  reason.addEventListener('input', () => {
    reasonText = reason.value;
    update();
  });
  justification?.addEventListener('input', () => {
    justificationText = justification!.value;
    update();
  });
  queueMicrotask(update);

  const other = el('div', 'other-actions');
  if (s.productionVersion !== null && s.rollbackTo !== null) {
    other.appendChild(button('rollback', `Roll Back Production v${s.productionVersion} → v${s.rollbackTo}`, () => act({ type: 'rollback', reason: reasonText }), { secondary: true, disabled: busy, title: 'Uses the reason above; gated by the policy’s rollback rule' }));
  }
  if (s.candidate.stage !== 'Archived') {
    other.appendChild(button('archive', `Archive v${s.candidate.version}`, () => act({ type: 'archive', reason: reasonText }), { secondary: true, disabled: busy, title: 'Uses the reason above; gated by the policy’s Archived rule' }));
  }
  if (other.childElementCount) box.appendChild(other);
  return box;
}

function historyTab(s: PromotionState): HTMLElement {
  const box = section(`History of ${s.model}`, 'history');
  const bar = el('div', 'filters');
  const filter = el('input', 'text');
  filter.id = 'history-filter';
  filter.type = 'search';
  filter.placeholder = 'Filter: actor, reason, version, gate…';
  filter.value = historyFilter;
  const action = el('select', 'select');
  action.id = 'history-action';
  for (const a of ['', ...new Set(s.history.map((h) => h.action))]) {
    const o = el('option', undefined, a || 'All actions');
    o.value = a;
    action.appendChild(o);
  }
  action.value = historyAction;
  const count = el('span', 'muted count');
  bar.append(filter, action, count);
  box.appendChild(bar);
  const { table: t, body } = table(['Time', 'Version', 'Action', 'Change', 'Actor', 'Reason', 'Gates at the time'], 'history-table');
  box.appendChild(t);
  const render = () => {
    body.replaceChildren();
    const needle = historyFilter.trim().toLowerCase();
    let shown = 0;
    for (const h of s.history) {
      if (historyAction && h.action !== historyAction) continue;
      const gatesText = h.gates.map((g) => `${g.status} ${g.gate} ${g.reason}`).join(' ');
      const haystack = [h.time, h.version === null ? '' : `v${h.version}`, h.action, h.summary, h.actor, h.reason ?? '', gatesText, h.override ?? ''].join(' ').toLowerCase();
      if (needle && !haystack.includes(needle)) continue;
      shown++;
      const gates = el('ul', 'gate-list');
      for (const g of h.gates) {
        const li = el('li');
        li.append(el('span', `status ${g.status}`, STATUS_TEXT[g.status as GateRow['status']] ?? g.status), document.createTextNode(` ${g.gate} — ${g.reason}`));
        gates.appendChild(li);
      }
      if (h.override) gates.appendChild(el('li', 'error', `override: ${h.override}`));
      row(body, [formatTime(h.time), h.version === null ? '–' : `v${h.version}`, h.action, h.summary, h.actor, h.reason ?? '–', h.gates.length || h.override ? gates : '–'], 'history-row');
    }
    count.textContent = `${shown} of ${s.history.length} events`;
  };
  filter.addEventListener('input', () => {
    historyFilter = filter.value;
    save();
    render();
  });
  action.addEventListener('change', () => {
    historyAction = action.value;
    save();
    render();
  });
  render();
  return box;
}

function act(message: FromPromotionWebview): void {
  busy = true;
  result = undefined;
  render();
  post(message);
}

function render(): void {
  root.replaceChildren();
  if (!state) {
    root.appendChild(el('p', 'muted', 'Loading…'));
    return;
  }
  const s = state;
  const header = el('header', 'toolbar');
  const title = el('h1', undefined, `Promote ${s.model}`);
  const version = el('select', 'select');
  version.id = 'version';
  version.title = 'Version';
  for (const v of s.versions) {
    const o = el('option', undefined, `v${v.version} (${v.stage})`);
    o.value = String(v.version);
    version.appendChild(o);
  }
  version.value = String(s.candidate.version);
  version.addEventListener('change', () => post({ type: 'setVersion', version: Number(version.value) }));
  const target = el('select', 'select');
  target.id = 'target';
  target.title = 'Target stage';
  for (const stage of PROMOTION_STAGES) {
    const o = el('option', undefined, stage);
    o.value = stage;
    target.appendChild(o);
  }
  target.value = s.target;
  target.addEventListener('change', () => post({ type: 'setTarget', stage: target.value as StageName }));
  header.append(title, version, el('span', 'arrow', '→'), target);
  const tabs = el('nav', 'tabs');
  tabs.setAttribute('role', 'tablist');
  for (const [id, label] of [['promotion', 'Promotion'], ['history', `History (${s.history.length})`]] as const) {
    const t = el('button', `tab${tab === id ? ' active' : ''}`, label);
    t.id = `tab-${id}`;
    t.setAttribute('role', 'tab');
    t.setAttribute('aria-selected', String(tab === id));
    t.addEventListener('click', () => {
      tab = id;
      save();
      render();
    });
    tabs.appendChild(t);
  }
  header.appendChild(el('span', 'spacer'));
  header.appendChild(tabs);
  root.appendChild(header);
  if (result) {
    const banner = el('div', `result ${result.ok ? 'ok' : 'error'}`);
    banner.id = 'result';
    banner.appendChild(el('strong', undefined, result.message));
    if (result.details.length) {
      const list = el('ul');
      for (const d of result.details) list.appendChild(el('li', undefined, d));
      banner.appendChild(list);
    }
    root.appendChild(banner);
  }
  if (tab === 'history') {
    root.appendChild(historyTab(s));
    return;
  }
  const grid = el('div', 'grid');
  const left = el('div', 'column');
  left.appendChild(sideBySide(s));
  const right = el('div', 'column');
  right.append(gatesSection(s), approvalsSection(s), decisionSection(s));
  grid.append(right, left);
  root.appendChild(grid);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isToPromotionWebview(message)) return;
  if (message.type === 'state') {
    const moved = !state || state.candidate.version !== message.state.candidate.version || state.target !== message.state.target;
    state = message.state;
    if (moved) justificationText = '';
    save();
  } else {
    busy = false;
    result = message;
    if (message.ok) {
      reasonText = '';
      justificationText = '';
    }
  }
  render();
});

const inline = document.getElementById('promotion-state')?.textContent;
if (inline) {
  const parsed: unknown = JSON.parse(inline);
  if (isToPromotionWebview(parsed) && parsed.type === 'state') state = parsed.state;
}
save();
render();
post({ type: 'ready' });
