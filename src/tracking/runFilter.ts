import type { SqlValue } from 'sql.js';
import { ownValue } from '../shared/ownKey';
import { parseSeriesLabel } from '../store/metrics';

/**
 * Run filters in the spirit of MLflow's search syntax, compiled to SQL over the store:
 *   val_loss < 0.3                     a metric's last value (bare names are metrics)
 *   metrics.accuracy >= 0.9            the same, explicit
 *   metrics.val_auc[churn_eval] > 0.8  the series logged against a dataset (MLflow 3)
 *   params.lr = 0.001                  a param (numbers compare numerically, else as text)
 *   tags.stage != "prod"               a tag
 *   status = running                   an attribute: status, name, user, format
 *   name ~ sweep                       "~" means "contains" (case-insensitive)
 * Clauses are joined with "and". Errors name the clause and what was expected.
 */
export interface CompiledFilter {
  /** A boolean SQL expression over the alias `r` (runs), to AND into a WHERE clause. */
  readonly sql: string;
  readonly params: SqlValue[];
  readonly text: string;
}

export class RunFilterError extends Error {
  override name = 'RunFilterError';
}

type Operator = '<=' | '>=' | '!=' | '==' | '<' | '>' | '=' | '~';
const ATTRIBUTES: Record<string, string> = { status: 'r.status', name: 'r.name', user: 'r.user', format: 'r.format', run_name: 'r.name' };

export function compileRunFilter(text: string): CompiledFilter {
  const clauses = splitClauses(text);
  if (clauses.length === 0) throw new RunFilterError('empty filter');
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const clause of clauses) {
    const match = /^("[^"]+"|`[^`]+`|[\w./:-]+(?:\[[^\]]+\])?)\s*(<=|>=|!=|==|<|>|=|~)\s*(.+)$/.exec(clause);
    if (!match) {
      throw new RunFilterError(`cannot read "${clause}": expected <name> <operator> <value>, e.g. val_loss < 0.3 or params.lr = 0.01`);
    }
    const name = unquote(match[1]);
    const op = (match[2] === '==' ? '=' : match[2]) as Operator;
    const rawValue = unquote(match[3].trim());
    const numeric = rawValue !== '' && Number.isFinite(Number(rawValue)) && !/^["'`]/.test(match[3].trim());
    const [scope, key] = splitScope(name);
    if (scope === 'attribute') {
      const column = ownValue(ATTRIBUTES, key.toLowerCase());
      if (!column) throw new RunFilterError(`unknown attribute "${key}": use one of ${Object.keys(ATTRIBUTES).join(', ')}`);
      if (op === '~') {
        parts.push(`${column} LIKE ? ESCAPE '\\'`);
        params.push(`%${escapeLike(rawValue)}%`);
      } else if (key.toLowerCase() === 'status') {
        if (op !== '=' && op !== '!=') throw new RunFilterError('status compares with = or != only');
        parts.push(`${column} ${op} ?`);
        params.push(rawValue.toUpperCase());
      } else {
        parts.push(`${column} ${sqlOperator(op)} ? COLLATE NOCASE`);
        params.push(rawValue);
      }
    } else if (scope === 'metric') {
      if (!numeric) throw new RunFilterError(`metric "${key}" compares with a number, got "${rawValue}"`);
      if (op === '~') throw new RunFilterError('"~" (contains) applies to text, not metrics');
      // `val_auc[churn_eval]`: the series logged against that dataset; a key that itself ends in
      // brackets (other formats) still matches as written.
      const series = parseSeriesLabel(key);
      parts.push(
        `EXISTS (SELECT 1 FROM metric_series s WHERE s.run_id = r.id AND ((s.key = ? AND s.dataset = ?) OR (s.key = ? AND s.dataset = '')) AND s.point_count > 0 AND s.last_is_nan = 0 AND s.last_value ${sqlOperator(op)} ?)`,
      );
      params.push(series.key, series.dataset, key, Number(rawValue));
    } else {
      const table = scope === 'param' ? 'params' : 'run_tags';
      if (op === '~') {
        parts.push(`EXISTS (SELECT 1 FROM ${table} p WHERE p.run_id = r.id AND p.key = ? AND p.value LIKE ? ESCAPE '\\')`);
        params.push(key, `%${escapeLike(rawValue)}%`);
      } else if (numeric && op !== '=' && op !== '!=') {
        parts.push(`EXISTS (SELECT 1 FROM ${table} p WHERE p.run_id = r.id AND p.key = ? AND CAST(p.value AS REAL) ${sqlOperator(op)} ?)`);
        params.push(key, Number(rawValue));
      } else if (numeric) {
        // "0.001" and "1e-3" are the same learning rate: compare numbers when both sides are numbers.
        const negate = op === '!=' ? 'NOT ' : '';
        parts.push(
          `${negate}EXISTS (SELECT 1 FROM ${table} p WHERE p.run_id = r.id AND p.key = ? AND (p.value = ? OR (trim(p.value) GLOB '*[0-9]*' AND CAST(p.value AS REAL) = ?)))`,
        );
        params.push(key, rawValue, Number(rawValue));
      } else {
        const negate = op === '!=' ? 'NOT ' : '';
        parts.push(`${negate}EXISTS (SELECT 1 FROM ${table} p WHERE p.run_id = r.id AND p.key = ? AND p.value = ?)`);
        params.push(key, rawValue);
      }
    }
  }
  return { sql: parts.map((p) => `(${p})`).join(' AND '), params, text: clauses.join(' and ') };
}

/**
 * The clauses between the word `and` (any case) with whitespace around it. One pass over the
 * whitespace-separated pieces: a regular expression with whitespace runs on both sides of "and" backtracked
 * quadratically over long runs of spaces (100k spaces: 9.9 s).
 */
function splitClauses(text: string): string[] {
  const pieces = text.split(/(\s+)/); // words at even indexes, the whitespace between them at odd ones
  const clauses: string[] = [];
  let current = '';
  for (let i = 0; i < pieces.length; i += 2) {
    const word = pieces[i];
    const between = i > 0 ? pieces[i - 1] : '';
    if (word.toLowerCase() === 'and' && i > 0 && i + 1 < pieces.length) {
      clauses.push(current);
      current = '';
    } else {
      current += (current === '' ? '' : between) + word;
    }
  }
  clauses.push(current);
  return clauses.map((c) => c.trim()).filter(Boolean);
}

function splitScope(name: string): ['metric' | 'param' | 'tag' | 'attribute', string] {
  const dot = name.indexOf('.');
  if (dot > 0) {
    const prefix = name.slice(0, dot).toLowerCase();
    const rest = name.slice(dot + 1);
    if (prefix === 'metrics' || prefix === 'metric') return ['metric', rest];
    if (prefix === 'params' || prefix === 'param') return ['param', rest];
    if (prefix === 'tags' || prefix === 'tag') return ['tag', rest];
    if (prefix === 'attributes' || prefix === 'attribute' || prefix === 'attr') return ['attribute', rest];
  }
  if (ownValue(ATTRIBUTES, name.toLowerCase())) return ['attribute', name];
  return ['metric', name];
}

function sqlOperator(op: Operator): string {
  return op === '~' ? 'LIKE' : op;
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) || (t.startsWith('`') && t.endsWith('`')))) {
    return t.slice(1, -1);
  }
  return t;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type RunSort = 'newest' | 'oldest' | 'name' | 'status' | 'metric-asc' | 'metric-desc';

export const RUN_SORTS: readonly { readonly id: RunSort; readonly label: string }[] = [
  { id: 'newest', label: 'Newest first (start time)' },
  { id: 'oldest', label: 'Oldest first' },
  { id: 'name', label: 'Name' },
  { id: 'status', label: 'Status (running first)' },
  { id: 'metric-asc', label: 'Key metric, lowest first' },
  { id: 'metric-desc', label: 'Key metric, highest first' },
];

/** ORDER BY for a sort, over `r` (runs) and `s` (the key metric's series, LEFT JOINed). */
export function orderByFor(sort: RunSort): string {
  switch (sort) {
    case 'oldest':
      return 'r.start_time ASC, r.id ASC';
    case 'name':
      return 'r.name COLLATE NOCASE ASC, r.id ASC';
    case 'status':
      return "CASE r.status WHEN 'RUNNING' THEN 0 WHEN 'SCHEDULED' THEN 1 WHEN 'FAILED' THEN 2 WHEN 'KILLED' THEN 3 ELSE 4 END, r.start_time DESC";
    case 'metric-asc':
      return '(s.last_value IS NULL) ASC, s.last_value ASC, r.id';
    case 'metric-desc':
      return '(s.last_value IS NULL) ASC, s.last_value DESC, r.id';
    default:
      return 'r.start_time DESC, r.id DESC';
  }
}
