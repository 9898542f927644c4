// SSH public keys (the wire blob and the `type base64 comment` text form) as Node KeyObjects.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SshReader, SshWireError } from './sshWire';

/** The key types we verify with Node's crypto alone; anything else is named in the error, never passed. */
export const SUPPORTED_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;
export type SshKeyType = (typeof SUPPORTED_KEY_TYPES)[number];

export interface SshPublicKey {
  readonly type: SshKeyType;
  /** The wire blob, as it appears in signatures and (base64) in key files: two keys are the same key when these bytes are. */
  readonly blob: Buffer;
  readonly key: KeyObject;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
}

/** A key type we do not verify (security keys, certificates, DSA, unknown): its name travels with the error. */
export class UnsupportedKeyTypeError extends Error {
  constructor(readonly keyType: string) {
    super(`unsupported key type ${JSON.stringify(keyType)} (supported: ${SUPPORTED_KEY_TYPES.join(', ')})`);
    this.name = 'UnsupportedKeyTypeError';
  }
}

const CURVES: Readonly<Record<string, { readonly jwk: string; readonly coordinate: number }>> = {
  nistp256: { jwk: 'P-256', coordinate: 32 },
  nistp384: { jwk: 'P-384', coordinate: 48 },
  nistp521: { jwk: 'P-521', coordinate: 66 },
};

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

export function sshFingerprint(blob: Uint8Array): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Parses a public key's wire blob; throws SshWireError (malformed) or UnsupportedKeyTypeError. */
export function parseSshPublicKeyBlob(blob: Uint8Array): SshPublicKey {
  const reader = new SshReader(blob);
  const type = reader.text('key type');
  let key: KeyObject;
  if (type === 'ssh-ed25519') {
    const point = reader.string('ed25519 public key');
    if (point.length !== 32) throw new SshWireError(`ed25519 public key is ${point.length} bytes, not 32`);
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(point) }, format: 'jwk' });
  } else if (type.startsWith('ecdsa-sha2-') && CURVES[type.slice('ecdsa-sha2-'.length)]) {
    key = ecdsaKey(reader, type.slice('ecdsa-sha2-'.length));
  } else if (type === 'ssh-rsa') {
    const e = reader.mpint('RSA exponent');
    const n = reader.mpint('RSA modulus');
    if (n.length * 8 < 1024) throw new SshWireError(`RSA modulus of ${n.length * 8} bits is too small`);
    key = createPublicKey({ key: { kty: 'RSA', n: base64url(n), e: base64url(e) }, format: 'jwk' });
  } else {
    throw new UnsupportedKeyTypeError(type);
  }
  reader.end('the public key');
  return { type: type as SshKeyType, blob: Buffer.from(blob), key, fingerprint: sshFingerprint(blob) };
}

function ecdsaKey(reader: SshReader, curveName: string): KeyObject {
  const curve = CURVES[curveName]!;
  const named = reader.text('curve name');
  if (named !== curveName) throw new SshWireError(`key type says ${curveName} but the key names curve ${JSON.stringify(named)}`);
  const point = reader.string('EC point');
  if (point.length !== 1 + 2 * curve.coordinate || point[0] !== 0x04) throw new SshWireError(`EC point is not an uncompressed ${curveName} point`);
  const x = point.subarray(1, 1 + curve.coordinate);
  const y = point.subarray(1 + curve.coordinate);
  try {
    return createPublicKey({ key: { kty: 'EC', crv: curve.jwk, x: base64url(x), y: base64url(y) }, format: 'jwk' });
  } catch {
    throw new SshWireError(`EC point is not on curve ${curveName}`);
  }
}

/** Strict base64 (optionally without padding): Buffer.from would skip bad characters silently. */
export function decodeBase64Strict(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new SshWireError(`${what} is not valid base64`);
  }
  return Buffer.from(text, 'base64');
}

/**
 * A key in the `type base64 [comment]` form of `.pub` files and allowed_signers. The type word must
 * agree with the blob's own type (OpenSSH refuses a mismatch too).
 */
export function parseSshPublicKeyText(text: string): SshPublicKey {
  const [typeWord, data] = text.trim().split(/\s+/);
  if (!typeWord || !data) throw new SshWireError('expected "<key type> <base64 key>"');
  const parsed = parseSshPublicKeyBlob(decodeBase64Strict(data, 'the key'));
  if (parsed.type !== typeWord) throw new SshWireError(`key text says ${typeWord} but the key is ${parsed.type}`);
  return parsed;
}
