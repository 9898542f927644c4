// Signed ledger events: an SSHSIG signature (namespace `model-ledger`) over the event's canonical content, made with
// `ssh-keygen -Y sign` (a key file, or the ssh-agent when the file is a public key) and checked without any program.
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson, type LedgerEvent, type UnsignedEvent } from '../registry/events';
import { verifyWithAllowedSigners, type AllowedSigner } from './allowedSigners';
import { parseSshSignature } from './sshsig';

export const EVENT_SIGNATURE_NAMESPACE = 'model-ledger';
const SIGN_TIMEOUT_MS = 30_000;

/** What is signed: the canonical JSON the hash is computed over, without the hash and the signature themselves. */
export function eventSigningContent(event: UnsignedEvent | LedgerEvent): Buffer {
  const { hash: _hash, signature: _signature, ...content } = event as LedgerEvent & { signature?: string };
  return Buffer.from(canonicalJson(content), 'utf8');
}

/** Signs with `ssh-keygen -Y sign -f KEY -n model-ledger`; the armored signature, or an error naming the reason. */
export function sshKeygenSign(keyFile: string, content: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-keygen', ['-q', '-Y', 'sign', '-f', keyFile, '-n', EVENT_SIGNATURE_NAMESPACE], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill(), SIGN_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ssh-keygen to sign the event: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && parseSshSignature(stdout).ok) resolve(stdout.trim() + '\n');
      else reject(new Error(`ssh-keygen could not sign with ${keyFile}: ${stderr.trim() || `exit ${code}`}`));
    });
    child.stdin.end(content);
  });
}

function gitConfig(cwd: string, key: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', '--get', key], { cwd, timeout: 3000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined));
  });
}

const expandHome = (file: string) => (file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file);

/**
 * The key events are signed with: the explicit setting (`modelLedger.signing.key`, $MODEL_LEDGER_SIGNING_KEY), else
 * git's SSH signing setup (`gpg.format = ssh` and `user.signingkey`, a path or `key::<public key>` for the agent).
 * Undefined: signing is not set up, events are written unsigned.
 */
export async function signingKeyFor(folder: string, explicit?: string): Promise<string | undefined> {
  if (explicit) return path.resolve(folder, expandHome(explicit));
  const [format, key] = await Promise.all([gitConfig(folder, 'gpg.format'), gitConfig(folder, 'user.signingkey')]);
  if (format !== 'ssh' || !key) return undefined;
  if (!key.startsWith('key::')) return path.resolve(folder, expandHome(key));
  // A literal public key: ssh-keygen signs through the agent when given its .pub file.
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'model-ledger-key-')), 'signing.pub');
  await fs.writeFile(file, key.slice('key::'.length) + '\n');
  return file;
}

/** A signer for the ledger's append: every event written through it carries a signature (or the append fails). */
export function eventSigner(keyFile: () => Promise<string | undefined>): (event: UnsignedEvent) => Promise<string | undefined> {
  return async (event) => {
    const key = await keyFile();
    return key ? sshKeygenSign(key, eventSigningContent(event)) : undefined;
  };
}

export type EventSignatureStatus = 'signed' | 'unsigned' | 'invalid' | 'unknown-key' | 'not-allowed';

export interface EventSignatureCheck {
  readonly status: EventSignatureStatus;
  /** Who the signature is checked for: the actor's e-mail (else name), as allowed_signers lists principals. */
  readonly principal: string;
  readonly fingerprint?: string;
  readonly reason?: string;
}

/** Checks one event's signature against allowed signers, for its actor, at the event's time. */
export function checkEventSignature(read: LedgerEvent & { readonly line?: number }, signers: readonly AllowedSigner[]): EventSignatureCheck {
  // Events as read carry their line number, which is where they are, not what was signed.
  const { line: _line, ...event } = read;
  const principal = event.actor.email ?? event.actor.name;
  const signature = (event as LedgerEvent & { signature?: unknown }).signature;
  if (signature === undefined) return { status: 'unsigned', principal };
  if (typeof signature !== 'string') return { status: 'invalid', principal, reason: 'the signature is not text' };
  const time = Date.parse(event.time);
  const decision = verifyWithAllowedSigners(signers, signature, eventSigningContent(event), { principal, namespace: EVENT_SIGNATURE_NAMESPACE, ...(Number.isFinite(time) ? { time } : {}) });
  const fingerprint = decision.signature?.publicKey.fingerprint;
  const base = { principal, ...(fingerprint ? { fingerprint } : {}) };
  if (decision.ok) return { status: 'signed', ...base };
  const status: EventSignatureStatus = decision.code === 'unknown-key' ? 'unknown-key' : decision.code === 'not-allowed' ? 'not-allowed' : 'invalid';
  return { status, ...base, reason: decision.reason };
}
