import { createHash } from 'node:crypto';
import type { ScoringInput } from './scoring.inputs';

/**
 * The digest a publication (公示) records of what its ranking was computed from, so that an
 * inspector can later re-derive it from the log and see whether the inputs as of then are still
 * what they were (docs/scoring.md, "Inputs digest"). Defined here once:
 *
 *   value = hex(SHA-256(UTF-8(canonicalJson(canonicalScoringInput(input)))))
 *
 * - `canonicalJson` is RFC 8785 (JCS) for the values an input holds: object members sorted by key
 *   (UTF-16 code units), no whitespace, strings and numbers as `JSON.stringify` writes them,
 *   members whose value is `undefined` left out.
 * - `canonicalScoringInput` keeps what the engine reads and what the log knew at `asOf`: every record
 *   with `recordedAt > asOf` is left out (the engine ignores it anyway), so events recorded after a
 *   publication never change its digest. Target events are reduced to `{eventId, position,
 *   recordedAt, type, data}` (their envelope, hash chain included, is not scored); `provenance` is
 *   not an input to the numbers and is left out.
 * - The collections (`unitIds`, `schemes`, `trees`, `targetEvents`, `satisfaction`, `records`,
 *   `rulings`, and any the input gains later) are sets: each is sorted by the UTF-8 bytes of its
 *   elements' canonical JSON, so the order in which the log's streams were read never matters.
 *   Arrays inside an element (a schedule, the indicators of a tree) keep their order: it is
 *   meaningful. A collection with nothing known at `asOf` is left out, so an absent collection and
 *   an empty one digest alike (a publication made before the input had `rulings` still verifies).
 * - `unitIds` is always there (possibly `[]`); `asOf` absent is `null`.
 */
export const INPUTS_DIGEST_CANONICALIZATION = 'dukao-scoring-input/1';

export interface InputsDigest {
  algorithm: 'sha256';
  /** Lower-case hex. */
  value: string;
  /** Which canonical form was hashed ({@link INPUTS_DIGEST_CANONICALIZATION}). */
  canonicalization: string;
}

/** RFC 8785 canonical JSON of a JSON-like value (see the module comment). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not a JSON value: ${String(value)}`);
    return text;
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A set, in a canonical order: by the UTF-8 bytes of each element's canonical JSON. */
function canonicalSet<T>(items: readonly T[]): T[] {
  return items
    .map((item) => ({ item, key: Buffer.from(canonicalJson(item), 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ item }) => item);
}

/** The engine's input as the digest sees it (see the module comment). */
export function canonicalScoringInput(input: ScoringInput): Record<string, unknown> {
  const { cycleId, category, at, asOf, unitIds, targetEvents, provenance: _notScored, ...rest } = input;
  const known = <T>(items: readonly T[]) =>
    items.filter((item) => {
      const recordedAt = (item as { recordedAt?: unknown }).recordedAt;
      return asOf === undefined || typeof recordedAt !== 'string' || recordedAt <= asOf;
    });
  const canonical: Record<string, unknown> = {
    canonicalization: INPUTS_DIGEST_CANONICALIZATION,
    cycleId,
    category,
    at,
    asOf: asOf ?? null,
    unitIds: canonicalSet([...new Set(unitIds)]),
  };
  const events = known(targetEvents).map(({ eventId, position, recordedAt, event }) => ({
    eventId,
    position,
    recordedAt,
    type: event.type,
    data: event.data,
  }));
  // Every other collection (schemes, trees, satisfaction, records, rulings, any added later), whole.
  const collections: Record<string, unknown[]> = { targetEvents: events };
  for (const [name, value] of Object.entries(rest))
    if (Array.isArray(value)) collections[name] = known(value as unknown[]);
  for (const [name, items] of Object.entries(collections))
    if (items.length > 0) canonical[name] = canonicalSet(items);
  return canonical;
}

/**
 * The input as the log stood at a position: every element that carries a log `position` after
 * `logPosition` is dropped (target events, satisfaction results, records, rulings, provenance).
 * A publication scores and digests its input cut at the log's head read before loading, and the
 * verification cuts at the same position, so an event appended in the very millisecond of `asOf`
 * (a frozen or coarse clock) never makes a publication and its verification disagree. Scheme and
 * tree versions carry no position: they are cut by `recordedAt ≤ asOf` only.
 */
export function cutAtPosition(input: ScoringInput, logPosition: number): ScoringInput {
  const cut: Record<string, unknown> = { ...input };
  for (const [name, value] of Object.entries(input))
    if (Array.isArray(value))
      cut[name] = (value as unknown[]).filter((item) => {
        const position = (item as { position?: unknown } | null)?.position;
        return typeof position !== 'number' || position <= logPosition;
      });
  return cut as unknown as ScoringInput;
}

/** SHA-256 over the canonical JSON of the engine's input as known at its `asOf`. */
export function inputsDigest(input: ScoringInput): InputsDigest {
  const value = createHash('sha256')
    .update(canonicalJson(canonicalScoringInput(input)), 'utf8')
    .digest('hex');
  return { algorithm: 'sha256', value, canonicalization: INPUTS_DIGEST_CANONICALIZATION };
}
