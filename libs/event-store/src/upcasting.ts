import type { StoredEvent } from './event-store.port';

/**
 * Turns a stored event of `type` at `fromVersion` into its `fromVersion + 1` shape.
 * Upcasters run in one place, the adapters' read path, so deciders and projections only ever see
 * the current shape. The stored bytes (and so the hash chain) never change.
 */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(event: StoredEvent): StoredEvent;
}

export type UpcastFn = (event: StoredEvent) => StoredEvent;

export function composeUpcasters(upcasters: readonly Upcaster[]): UpcastFn {
  const byKey = new Map<string, Upcaster>();
  for (const upcaster of upcasters) {
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (byKey.has(key)) throw new Error(`two upcasters for ${key}`);
    byKey.set(key, upcaster);
  }
  if (byKey.size === 0) return (event) => event;
  return (event) => {
    let current = event;
    for (let next = byKey.get(`${current.type}@${current.schemaVersion}`); next;) {
      const upcast = next.upcast(current);
      if (upcast.schemaVersion !== current.schemaVersion + 1) {
        throw new Error(
          `upcaster ${current.type}@${current.schemaVersion} must produce version ${current.schemaVersion + 1}`,
        );
      }
      current = upcast;
      next = byKey.get(`${current.type}@${current.schemaVersion}`);
    }
    return current;
  };
}
