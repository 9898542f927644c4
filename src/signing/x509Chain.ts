// Certificate chains for model signatures, checked as model_signing checks them (OpenSSL X509Store semantics at the
// signing certificate's notBefore, so a chain that has since expired still vouches for what was signed then).
import { X509Certificate, type KeyObject } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const MAX_DEPTH = 10;

/** Every certificate in PEM text (text around them, like `openssl x509 -text` output, is skipped). */
export function parsePemCertificates(text: string): X509Certificate[] {
  return (text.match(PEM_CERTIFICATE) ?? []).map((pem) => new X509Certificate(pem));
}

export type ChainResult = { readonly ok: true; readonly publicKey: KeyObject; readonly path: readonly string[] } | { readonly ok: false; readonly reason: string };

const validAt = (cert: X509Certificate, time: number) => Date.parse(cert.validFrom) <= time && time <= Date.parse(cert.validTo);
const issuedBy = (cert: X509Certificate, issuer: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/**
 * Builds a path from `leaf` through `intermediates` (the bundle's) to one of `anchors` (the user's), every link's
 * signature checked, every issuer a CA, every certificate valid when the leaf became valid; the leaf must allow signing.
 */
export function verifyCertificateChain(leaf: X509Certificate, intermediates: readonly X509Certificate[], anchors: readonly X509Certificate[]): ChainResult {
  if (anchors.length === 0) return { ok: false, reason: 'no trusted certificates given' };
  if (!canSign(leaf)) return { ok: false, reason: `certificate ${leaf.subject} may not be used for signing (no digitalSignature key usage or code-signing extended usage)` };
  const time = Date.parse(leaf.validFrom);
  const path = [leaf.subject];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) {
      if (!validAt(anchor, time)) return { ok: false, reason: `trusted certificate ${anchor.subject} was not valid at ${leaf.validFrom}` };
      return { ok: true, publicKey: leaf.publicKey, path: [...path, anchor.subject] };
    }
    const next = intermediates.find((i) => i !== current && i.ca && issuedBy(current, i));
    if (!next) return { ok: false, reason: `no trusted issuer for ${current.subject} (issuer ${current.issuer})` };
    if (!validAt(next, time)) return { ok: false, reason: `intermediate ${next.subject} was not valid at ${leaf.validFrom}` };
    path.push(next.subject);
    current = next;
  }
  return { ok: false, reason: `chain longer than ${MAX_DEPTH} certificates` };
}

/** KeyUsage digitalSignature (read from the DER: Node exposes only extended usages) or extended usage codeSigning. */
function canSign(cert: X509Certificate): boolean {
  if (cert.keyUsage?.includes(CODE_SIGNING)) return true;
  return keyUsageBits(cert.raw)?.digitalSignature ?? false;
}

/** Finds the KeyUsage extension (OID 2.5.29.15) and reads its first bit; undefined when absent or unreadable. */
function keyUsageBits(der: Buffer): { digitalSignature: boolean } | undefined {
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);
  let at = der.indexOf(oid);
  if (at < 0) return undefined;
  at += oid.length;
  if (der[at] === 0x01) at += 2 + der[at + 1]!; // critical flag
  if (der[at] !== 0x04) return undefined; // OCTET STRING wrapping the BIT STRING
  at += 2;
  if (der[at] !== 0x03 || (der[at + 1] ?? 0) < 2) return undefined;
  return { digitalSignature: ((der[at + 3] ?? 0) & 0x80) !== 0 };
}
