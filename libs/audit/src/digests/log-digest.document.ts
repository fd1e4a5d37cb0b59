import { type KeyObject, createHash, createPublicKey, sign, verify } from 'node:crypto';
import { canonicalJson } from '@dukao/event-store';
import type { LogDigestBody, LogDigestDocument, LogDigestKey } from './log-digest.events';

/** The bytes an Ed25519 signature covers: UTF-8 of the canonical JSON of the document without `signature`. */
export function signedBytes(body: LogDigestBody): Buffer {
  const { signature: _signature, ...rest } = body as LogDigestDocument;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function describeKey(publicKey: KeyObject): LogDigestKey {
  return {
    algorithm: 'ed25519',
    keyId: keyIdOf(publicKey),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function signDigest(body: LogDigestBody, privateKey: KeyObject): LogDigestDocument {
  return { ...body, signature: sign(null, signedBytes(body), privateKey).toString('base64') };
}

export interface SignatureCheck {
  valid: boolean;
  keyId: string | null;
  /** Why it is not valid. */
  problem: string | null;
}

/**
 * Checks the document's signature with the public key it carries, and that the key id matches that
 * key. Whether the key is one the inspector trusts is theirs to decide (compare `keyId` with the
 * key they kept, or pass `trusted`).
 */
export function checkSignature(document: LogDigestDocument, trusted?: KeyObject): SignatureCheck {
  let key: KeyObject;
  try {
    key = createPublicKey(document.key.publicKey);
  } catch {
    return { valid: false, keyId: null, problem: '摘要中的公钥无法解析' };
  }
  if (key.asymmetricKeyType !== 'ed25519' || document.key.algorithm !== 'ed25519')
    return { valid: false, keyId: null, problem: '仅支持 Ed25519 签名' };
  const keyId = keyIdOf(key);
  if (keyId !== document.key.keyId) return { valid: false, keyId, problem: 'keyId 与公钥不符' };
  if (trusted && keyIdOf(trusted) !== keyId)
    return { valid: false, keyId, problem: '签名公钥不是所信任的公钥' };
  let ok: boolean;
  try {
    ok = verify(null, signedBytes(document), key, Buffer.from(document.signature, 'base64'));
  } catch {
    ok = false;
  }
  return ok ? { valid: true, keyId, problem: null } : { valid: false, keyId, problem: '签名无效' };
}
