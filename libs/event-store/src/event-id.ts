import { createHash } from 'node:crypto';

/**
 * A deterministic UUID (RFC 9562 version 8, name-based on SHA-256) for the `index`-th event a command
 * produces. A retried command derives the same ids, so the store recognises the retry and appends nothing.
 */
export function deriveEventId(commandId: string, index: number): string {
  const bytes = createHash('sha256').update(`dukao-event\u0000${commandId}\u0000${index}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
