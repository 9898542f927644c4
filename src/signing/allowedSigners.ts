// OpenSSH's allowed signers file (ssh-keygen(1) "ALLOWED SIGNERS"), the file git's gpg.ssh.allowedSignersFile names:
//   principals [options] keytype base64-key [comment]
// principals is a pattern list (`*`, `?`, `!`), options are cert-authority, namespaces="…", valid-after="…",
// valid-before="…". Certificate authorities are parsed and reported: we verify plain keys only.
import { parseSshPublicKeyText, UnsupportedKeyTypeError, type SshPublicKey } from './sshKeys';
import { verifySshSignature, type SshSigFailure, type SshSignature } from './sshsig';
import { SshWireError } from './sshWire';

export interface AllowedSigner {
  readonly line: number;
  /** The principals pattern list as written (`ada@example.com`, `*@example.com,!eve@example.com`). */
  readonly principals: string;
  readonly namespaces?: string;
  /** Epoch milliseconds. */
  readonly validAfter?: number;
  readonly validBefore?: number;
  readonly certAuthority: boolean;
  readonly key: SshPublicKey;
}

export interface AllowedSignersDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface AllowedSigners {
  readonly signers: readonly AllowedSigner[];
  readonly diagnostics: readonly AllowedSignersDiagnostic[];
}

class LineError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses the whole file; a bad line becomes a diagnostic with its line and column and is left out (never trusted). */
export function parseAllowedSigners(text: string, file = 'allowed_signers'): AllowedSigners {
  const signers: AllowedSigner[] = [];
  const diagnostics: AllowedSignersDiagnostic[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.replace(/^[ \t]+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    try {
      signers.push(parseLine(raw, index + 1));
    } catch (error) {
      const column = error instanceof LineError ? error.column : 1;
      diagnostics.push({ file, line: index + 1, column, message: error instanceof Error ? error.message : String(error) });
    }
  });
  return { signers, diagnostics };
}

/** Reads one whitespace-delimited field starting at `at`, keeping double-quoted parts (which may hold spaces) whole. */
function readField(raw: string, at: number): { value: string; end: number } {
  let i = at;
  let quoted = false;
  while (i < raw.length && (quoted || (raw[i] !== ' ' && raw[i] !== '\t'))) {
    if (raw[i] === '"') quoted = !quoted;
    i++;
  }
  if (quoted) throw new LineError(at + 1, 'unterminated quote');
  return { value: raw.slice(at, i), end: i };
}

const skipBlanks = (raw: string, at: number): number => {
  while (at < raw.length && (raw[at] === ' ' || raw[at] === '\t')) at++;
  return at;
};

function parseLine(raw: string, line: number): AllowedSigner {
  const first = skipBlanks(raw, 0);
  const principalsField = readField(raw, first);
  const principals = principalsField.value.replace(/^"(.*)"$/, '$1');
  if (principals === '') throw new LineError(first + 1, 'empty principals');
  let at = skipBlanks(raw, principalsField.end);
  if (at >= raw.length) throw new LineError(at + 1, 'missing key after the principals');
  let options: Options = { certAuthority: false };
  const next = readField(raw, at);
  if (!looksLikeKeyType(next.value)) {
    options = parseOptions(next.value, at);
    at = skipBlanks(raw, next.end);
    if (at >= raw.length) throw new LineError(at + 1, 'missing key after the options');
  }
  const key = parseKeyAt(raw, at);
  return { line, principals, certAuthority: options.certAuthority, key, ...omitUndefined(options) };
}

function omitUndefined(options: Options): Partial<Pick<AllowedSigner, 'namespaces' | 'validAfter' | 'validBefore'>> {
  const out: { namespaces?: string; validAfter?: number; validBefore?: number } = {};
  if (options.namespaces !== undefined) out.namespaces = options.namespaces;
  if (options.validAfter !== undefined) out.validAfter = options.validAfter;
  if (options.validBefore !== undefined) out.validBefore = options.validBefore;
  return out;
}

/** OpenSSH tries to read a key first and takes the field as options only if that fails; key types have no `=` or `"`. */
function looksLikeKeyType(field: string): boolean {
  return /^[a-z0-9][a-z0-9@.-]*$/i.test(field) && !/^(cert-authority)$/i.test(field);
}

function parseKeyAt(raw: string, at: number): SshPublicKey {
  const typeField = readField(raw, at);
  const dataAt = skipBlanks(raw, typeField.end);
  const dataField = readField(raw, dataAt);
  try {
    return parseSshPublicKeyText(`${typeField.value} ${dataField.value}`);
  } catch (error) {
    if (error instanceof UnsupportedKeyTypeError) throw new LineError(at + 1, error.message);
    const message = error instanceof SshWireError ? error.message : String(error);
    throw new LineError(dataField.value ? dataAt + 1 : at + 1, `invalid key: ${message}`);
  }
}

interface Options {
  certAuthority: boolean;
  namespaces?: string;
  validAfter?: number;
  validBefore?: number;
}

/** `opt[,opt…]` where values are double-quoted; columns in errors point at the offending option. */
function parseOptions(field: string, fieldAt: number): Options {
  const options: Options = { certAuthority: false };
  let i = 0;
  while (i < field.length) {
    const column = fieldAt + i + 1;
    const match = /^([A-Za-z-]+)(=)?/.exec(field.slice(i));
    const name = match?.[1]?.toLowerCase() ?? '';
    i += match?.[0].length ?? 0;
    if (name === 'cert-authority' && !match?.[2]) {
      options.certAuthority = true;
    } else if (match?.[2] && (name === 'namespaces' || name === 'valid-after' || name === 'valid-before')) {
      const value = readQuoted(field, i, fieldAt);
      i = value.end;
      setOption(options, name, value.text, column);
    } else {
      throw new LineError(column, `unknown option ${JSON.stringify(field.slice(column - fieldAt - 1).split(',')[0])}`);
    }
    if (i === field.length) break;
    if (field[i] !== ',') throw new LineError(fieldAt + i + 1, 'expected "," between options');
    i++;
    if (i === field.length) throw new LineError(fieldAt + i + 1, 'unexpected end of options after ","');
  }
  if (options.validAfter !== undefined && options.validBefore !== undefined && options.validBefore <= options.validAfter) {
    throw new LineError(fieldAt + 1, '"valid-before" time is not after "valid-after"');
  }
  return options;
}

function readQuoted(field: string, at: number, fieldAt: number): { text: string; end: number } {
  if (field[at] !== '"') throw new LineError(fieldAt + at + 1, 'option value must be in double quotes');
  const close = field.indexOf('"', at + 1);
  if (close < 0) throw new LineError(fieldAt + at + 1, 'unterminated quote');
  return { text: field.slice(at + 1, close), end: close + 1 };
}

function setOption(options: Options, name: string, value: string, column: number): void {
  if (name === 'namespaces') {
    options.namespaces = value;
    return;
  }
  const time = parseSshTime(value);
  if (time === undefined) throw new LineError(column, `invalid "${name}" time ${JSON.stringify(value)} (YYYYMMDD[HHMM[SS]][Z])`);
  if (name === 'valid-after') options.validAfter = time;
  else options.validBefore = time;
}

/** OpenSSH's absolute times: YYYYMMDD or YYYYMMDDHHMM[SS], UTC with a trailing Z, else local time. */
export function parseSshTime(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z)?$/i.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = match[7] ? new Date(Date.UTC(year, month - 1, day, hour, minute, second)) : new Date(year, month - 1, day, hour, minute, second);
  const check = match[7] ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()] : [date.getFullYear(), date.getMonth() + 1, date.getDate()];
  if (check[0] !== year || check[1] !== month || check[2] !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return date.getTime();
}

/** One pattern with `*` and `?` (OpenSSH match_pattern), matched without backtracking blow-up. */
export function matchPattern(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** OpenSSH match_pattern_list: true only if some pattern matches and no negated (`!`) pattern does. */
export function matchPatternList(text: string, list: string): boolean {
  let matched = false;
  for (const item of list.split(',')) {
    const negated = item.startsWith('!');
    if (matchPattern(text, negated ? item.slice(1) : item)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type SignerDecision =
  | { readonly ok: true; readonly signer: AllowedSigner; readonly signature: SshSignature }
  | { readonly ok: false; readonly code: SshSigFailure | 'unknown-key' | 'not-allowed'; readonly reason: string; readonly signature?: SshSignature };

/** Why a line whose key matches still does not allow the signature (undefined: it allows it). */
function lineRefusal(signer: AllowedSigner, namespace: string, time: number): string | undefined {
  if (signer.certAuthority) return `line ${signer.line}: cert-authority keys are not supported (only plain keys)`;
  if (signer.namespaces !== undefined && !matchPatternList(namespace, signer.namespaces)) {
    return `line ${signer.line}: namespace ${JSON.stringify(namespace)} not allowed (namespaces="${signer.namespaces}")`;
  }
  if (signer.validAfter !== undefined && time < signer.validAfter) return `line ${signer.line}: key not yet valid (valid-after)`;
  if (signer.validBefore !== undefined && time > signer.validBefore) return `line ${signer.line}: key has expired (valid-before)`;
  return undefined;
}

/**
 * The decision `ssh-keygen -Y verify -f allowed_signers -I principal -n namespace` makes: the signature verifies,
 * and some line whose principals match `principal` holds the signing key and allows the namespace at `time`.
 */
export function verifyWithAllowedSigners(
  signers: readonly AllowedSigner[],
  input: string | Uint8Array,
  message: Uint8Array,
  options: { readonly principal: string; readonly namespace: string; readonly time?: number },
): SignerDecision {
  const checked = verifySshSignature(input, message, options.namespace);
  if (!checked.ok) return checked;
  const time = options.time ?? Date.now();
  const sameKey = signers.filter((s) => s.key.blob.equals(checked.signature.publicKey.blob));
  if (sameKey.length === 0) return { ok: false, code: 'unknown-key', reason: `key ${checked.signature.publicKey.fingerprint} is not in the allowed signers`, signature: checked.signature };
  const refusals: string[] = [];
  for (const signer of sameKey) {
    if (!matchPatternList(options.principal, signer.principals)) {
      refusals.push(`line ${signer.line}: principals "${signer.principals}" do not match ${JSON.stringify(options.principal)}`);
      continue;
    }
    const refusal = lineRefusal(signer, options.namespace, time);
    if (refusal === undefined) return { ok: true, signer, signature: checked.signature };
    refusals.push(refusal);
  }
  return { ok: false, code: 'not-allowed', reason: refusals.join('; '), signature: checked.signature };
}

/** `ssh-keygen -Y find-principals`: the principals fields of every line that allows this key for the namespace at `time`. */
export function findPrincipals(signers: readonly AllowedSigner[], key: SshPublicKey, namespace: string, time = Date.now()): string[] {
  return signers.filter((s) => s.key.blob.equals(key.blob) && lineRefusal(s, namespace, time) === undefined).map((s) => s.principals);
}
