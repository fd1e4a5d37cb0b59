import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyIdOf } from './log-digest.document';

/** The key digests are signed with (Ed25519; see docs/audit.md for why SM2 is not offered). */
export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** Where it was read from. */
  file: string;
  /** True when this start made it (embedded mode, first start). */
  generated: boolean;
}

export const EMBEDDED_SIGNING_KEY_FILE = 'audit-signing-key.pem';

/**
 * Loads the signing key: the PKCS#8 PEM file `AUDIT_SIGNING_KEY_FILE` names, or in embedded mode
 * `DATA_DIR/audit-signing-key.pem`, made (mode 0600) on first start. Null in production mode without
 * a configured file: digests are then refused rather than signed with a key nobody deployed.
 */
export function loadSigningKey(options: {
  file: string | null;
  mode: 'embedded' | 'production';
  dataDir: string;
}): AuditSigningKey | null {
  const file =
    options.file ?? (options.mode === 'embedded' ? join(options.dataDir, EMBEDDED_SIGNING_KEY_FILE) : null);
  if (file === null) return null;
  let generated = false;
  if (!existsSync(file)) {
    if (options.file !== null) throw new Error(`AUDIT_SIGNING_KEY_FILE ${file} does not exist`);
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    // `wx`: never overwrite a key another process made meanwhile.
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      generated = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new Error(`audit signing key ${file} is not a PEM private key (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`audit signing key ${file} must be an Ed25519 key (got ${privateKey.asymmetricKeyType})`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), file, generated };
}
