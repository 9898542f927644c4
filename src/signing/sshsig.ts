// OpenSSH's SSHSIG signatures (PROTOCOL.sshsig): the armored form `ssh-keygen -Y sign` writes and git uses for
// gpg.format=ssh, parsed and verified with Node's crypto alone (no ssh-keygen at verify time).
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { parseSshPublicKeyBlob, UnsupportedKeyTypeError, decodeBase64Strict, type SshPublicKey } from './sshKeys';
import { SshReader, SshWireError, sshString } from './sshWire';

export const SSHSIG_BEGIN = '-----BEGIN SSH SIGNATURE-----';
export const SSHSIG_END = '-----END SSH SIGNATURE-----';
const MAGIC = 'SSHSIG';
const HASH_ALGORITHMS = ['sha256', 'sha512'] as const;
type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

export interface SshSignature {
  readonly publicKey: SshPublicKey;
  readonly namespace: string;
  readonly hashAlgorithm: HashAlgorithm;
  /** The signature's algorithm name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `rsa-sha2-512`, …). */
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
}

/** Why a signature was not accepted. `malformed` covers armor, base64 and blob errors (truncation included). */
export type SshSigFailure = 'malformed' | 'unsupported-key' | 'namespace' | 'bad-signature';

export type SshSigParse = { readonly ok: true; readonly signature: SshSignature } | { readonly ok: false; readonly code: SshSigFailure; readonly reason: string };
export type SshSigVerification =
  | { readonly ok: true; readonly signature: SshSignature }
  | { readonly ok: false; readonly code: SshSigFailure; readonly reason: string; readonly signature?: SshSignature };

/** The blob inside the armor; the body may be wrapped at any width (OpenSSH ignores the line breaks too). */
export function dearmorSshSignature(text: string): Buffer {
  const start = text.indexOf(SSHSIG_BEGIN);
  if (start !== 0) throw new SshWireError(start < 0 ? `missing "${SSHSIG_BEGIN}" header` : 'text before the signature header');
  const end = text.indexOf(SSHSIG_END, SSHSIG_BEGIN.length);
  if (end < 0) throw new SshWireError(`missing "${SSHSIG_END}" footer (truncated?)`);
  if (text.slice(end + SSHSIG_END.length).trim() !== '') throw new SshWireError('text after the signature footer');
  const body = text.slice(SSHSIG_BEGIN.length, end).replace(/[\r\n \t]/g, '');
  if (body.includes(SSHSIG_BEGIN.slice(0, 10))) throw new SshWireError('a second armor header inside the signature');
  return decodeBase64Strict(body, 'the signature body');
}

/** Parses the armored text (or the raw blob). Never throws: every failure comes back with a reason. */
export function parseSshSignature(input: string | Uint8Array): SshSigParse {
  try {
    const blob = typeof input === 'string' ? dearmorSshSignature(input) : input;
    return { ok: true, signature: parseSignatureBlob(blob) };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): { ok: false; code: SshSigFailure; reason: string } {
  if (error instanceof UnsupportedKeyTypeError) return { ok: false, code: 'unsupported-key', reason: error.message };
  if (error instanceof SshWireError) return { ok: false, code: 'malformed', reason: error.message };
  return { ok: false, code: 'malformed', reason: error instanceof Error ? error.message : String(error) };
}

function parseSignatureBlob(blob: Uint8Array): SshSignature {
  const reader = new SshReader(blob);
  const magic = Buffer.from(reader.raw(MAGIC.length, 'the SSHSIG magic')).toString('latin1');
  if (magic !== MAGIC) throw new SshWireError('not an SSHSIG blob (no "SSHSIG" magic)');
  const version = reader.uint32('version');
  if (version !== 1) throw new SshWireError(`SSHSIG version ${version} is not supported (only 1)`);
  const keyBlob = reader.string('public key');
  const namespace = reader.text('namespace');
  reader.string('reserved');
  const hashAlgorithm = reader.text('hash algorithm');
  const inner = new SshReader(reader.string('signature'));
  reader.end('the signature');
  if (!(HASH_ALGORITHMS as readonly string[]).includes(hashAlgorithm)) throw new SshWireError(`hash algorithm ${JSON.stringify(hashAlgorithm)} is not allowed (sha256, sha512)`);
  const publicKey = parseSshPublicKeyBlob(keyBlob);
  const signatureAlgorithm = inner.text('signature algorithm');
  const signature = Buffer.from(inner.string('signature bytes'));
  inner.end('the signature bytes');
  return { publicKey, namespace, hashAlgorithm: hashAlgorithm as HashAlgorithm, signatureAlgorithm, signature };
}

/** What the key actually signed: the preamble, namespace, hash algorithm and the message's hash (PROTOCOL.sshsig §3). */
export function sshSignedData(namespace: string, hashAlgorithm: HashAlgorithm, message: Uint8Array): Buffer {
  const digest = createHash(hashAlgorithm).update(message).digest();
  return Buffer.concat([Buffer.from(MAGIC, 'latin1'), sshString(namespace), sshString(''), sshString(hashAlgorithm), sshString(digest)]);
}

/**
 * Verifies a signature over `message` for `namespace`: the cryptographic check only (who may sign is
 * allowedSigners' question). A wrong namespace fails even when the signature itself is good.
 */
export function verifySshSignature(input: string | Uint8Array, message: Uint8Array, namespace: string): SshSigVerification {
  const parsed = parseSshSignature(input);
  if (!parsed.ok) return parsed;
  const signature = parsed.signature;
  if (signature.namespace !== namespace) {
    return { ok: false, code: 'namespace', reason: `signature is for namespace ${JSON.stringify(signature.namespace)}, not ${JSON.stringify(namespace)}`, signature };
  }
  try {
    const good = checkSignatureBytes(signature, sshSignedData(namespace, signature.hashAlgorithm, message));
    return good ? { ok: true, signature } : { ok: false, code: 'bad-signature', reason: 'signature does not match the content and key', signature };
  } catch (error) {
    return { ...failure(error), signature };
  }
}

function checkSignatureBytes(sig: SshSignature, data: Buffer): boolean {
  const { publicKey, signatureAlgorithm, signature } = sig;
  switch (publicKey.type) {
    case 'ssh-ed25519':
      expectAlgorithm(signatureAlgorithm, ['ssh-ed25519']);
      return signature.length === 64 && cryptoVerify(null, data, publicKey.key, signature);
    case 'ssh-rsa': {
      // SHA-1 RSA signatures (`ssh-rsa`) are refused, as OpenSSH refuses them for SSHSIG.
      expectAlgorithm(signatureAlgorithm, ['rsa-sha2-256', 'rsa-sha2-512']);
      return cryptoVerify(signatureAlgorithm === 'rsa-sha2-256' ? 'sha256' : 'sha512', data, publicKey.key, signature);
    }
    default:
      expectAlgorithm(signatureAlgorithm, [publicKey.type]);
      return verifyEcdsa(publicKey.type, publicKey.key, data, signature);
  }
}

function expectAlgorithm(actual: string, allowed: readonly string[]): void {
  if (!allowed.includes(actual)) throw new SshWireError(`signature algorithm ${JSON.stringify(actual)} does not fit the key (expected ${allowed.join(' or ')})`);
}

const ECDSA: Readonly<Record<string, { readonly hash: string; readonly size: number }>> = {
  'ecdsa-sha2-nistp256': { hash: 'sha256', size: 32 },
  'ecdsa-sha2-nistp384': { hash: 'sha384', size: 48 },
  'ecdsa-sha2-nistp521': { hash: 'sha512', size: 66 },
};

/** SSH carries ECDSA as two mpints; Node takes r‖s at the curve's width (IEEE P1363). */
function verifyEcdsa(type: string, key: import('node:crypto').KeyObject, data: Buffer, signature: Buffer): boolean {
  const curve = ECDSA[type]!;
  const reader = new SshReader(signature);
  const r = reader.mpint('ECDSA r');
  const s = reader.mpint('ECDSA s');
  reader.end('the ECDSA signature');
  if (r.length > curve.size || s.length > curve.size) return false;
  const p1363 = Buffer.alloc(2 * curve.size);
  Buffer.from(r).copy(p1363, curve.size - r.length);
  Buffer.from(s).copy(p1363, 2 * curve.size - s.length);
  return cryptoVerify(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' }, p1363);
}
