import { validateNewEvents } from './append-rules';
import { newEvent } from './event-store.contract';
import { DuplicateEventIdError, type StoredEvent } from './event-store.port';
import { GENESIS_HASH, verifyChain } from './hash-chain';
import { kurrentDbMapping as m } from './kurrentdb.event-store';

const recordedAt = '2026-07-01T08:00:00.000Z';

/** What the client yields for an event this adapter wrote, at a made-up log position. */
function recorded(
  streamId: string,
  event: ReturnType<typeof m.encodeEvent>,
  revision: number,
  position: number,
) {
  return {
    streamId,
    id: event.id,
    type: event.type,
    isJson: true,
    revision: BigInt(revision),
    data: event.data,
    metadata: event.metadata,
    position: { commit: BigInt(position), prepare: BigInt(position) },
  };
}

function stored(id: string, type: string, revision: number, position = 100 + revision): StoredEvent {
  return {
    id,
    type,
    schemaVersion: 1,
    data: {},
    metadata: {} as StoredEvent['metadata'],
    streamId: 'target-1',
    revision,
    position,
  };
}

describe('KurrentDB mapping', () => {
  describe('stream state and positions', () => {
    it('appends at the exact revision read, or to a new stream', () => {
      expect(m.toStreamState(null)).toBe('no_stream');
      expect(m.toStreamState(0)).toBe(0n);
      expect(m.toStreamState(41)).toBe(41n);
    });

    it('reads $all from the start or from an event position (commit = prepare)', () => {
      expect(m.toReadPosition(undefined)).toBe('start');
      expect(m.toReadPosition(1234)).toEqual({ commit: 1234n, prepare: 1234n });
    });

    it('turns positions into JS numbers only while they are exact', () => {
      expect(m.toSafeNumber(0n, 'p')).toBe(0);
      expect(m.toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER), 'p')).toBe(Number.MAX_SAFE_INTEGER);
      expect(() => m.toSafeNumber(2n ** 53n, 'p')).toThrow(/2\^53/);
      expect(() => m.toSafeNumber(2n ** 64n - 1n, 'p')).toThrow(/did not report/);
    });
  });

  describe('encoding and decoding', () => {
    it('seals a hash chain from genesis that survives the round trip and verifies', async () => {
      const first = newEvent('TargetIssued', { value: 8, unit: '%' });
      const second = newEvent('ProgressReported', { cumulative: 3.2 }, { schemaVersion: 2 });
      const sealed = m.sealEvents('target-1', [first, second], null, recordedAt, 'sha256');
      expect(sealed[0]!.metadata).toMatchObject({
        prevHash: GENESIS_HASH,
        recordedAt,
        occurredAt: '2026-06-30T16:00:00.000Z',
        causationId: null,
        commandId: null,
        hashAlgorithm: 'sha256',
      });
      expect(sealed[1]!.metadata.prevHash).toBe(sealed[0]!.metadata.hash);

      const encoded = sealed.map(m.encodeEvent);
      expect(encoded[1]).toMatchObject({
        id: second.id,
        type: 'ProgressReported',
        contentType: 'application/json',
        data: { cumulative: 3.2 },
        metadata: { schemaVersion: 2, hash: sealed[1]!.metadata.hash },
      });

      const events = encoded.map((event, revision) =>
        m.toStoredEvent(recorded('target-1', event, revision, 500 + revision * 300)),
      );
      expect(events.map((e) => [e.id, e.type, e.schemaVersion, e.revision, e.position])).toEqual([
        [first.id, 'TargetIssued', 1, 0, 500],
        [second.id, 'ProgressReported', 2, 1, 800],
      ]);
      expect(events[0]!.metadata).not.toHaveProperty('schemaVersion');
      expect(events[0]!.metadata).toEqual(sealed[0]!.metadata);
      expect(await verifyChain(events, { gapFreePositions: false })).toMatchObject({ ok: true, events: 2 });
    });

    it('continues the chain after the head it read', async () => {
      const [genesis] = m.sealEvents('target-1', [newEvent('A')], null, recordedAt, 'sm3');
      const [next] = m.sealEvents(
        'target-1',
        [newEvent('B')],
        { revision: 0, hash: genesis!.metadata.hash },
        recordedAt,
        'sm3',
      );
      expect(next!.metadata).toMatchObject({ prevHash: genesis!.metadata.hash, hashAlgorithm: 'sm3' });
      const events = [genesis!, next!].map((event, revision) =>
        m.toStoredEvent(recorded('target-1', m.encodeEvent(event), revision, 10 + revision)),
      );
      expect(await verifyChain(events, { gapFreePositions: false })).toMatchObject({ ok: true, events: 2 });
    });

    it('takes the position from the resolved event when the record has none', () => {
      const [event] = m
        .sealEvents('target-1', [newEvent('A')], null, recordedAt, 'sha256')
        .map(m.encodeEvent);
      const { position: _omitted, ...withoutPosition } = recorded('target-1', event!, 0, 0);
      expect(m.toStoredEvent(withoutPosition, 777n).position).toBe(777);
      expect(() => m.toStoredEvent(withoutPosition)).toThrow(/did not report/);
    });

    it('refuses events this adapter did not write', () => {
      const [event] = m
        .sealEvents('target-1', [newEvent('A')], null, recordedAt, 'sha256')
        .map(m.encodeEvent);
      const base = recorded('target-1', event!, 0, 0);
      expect(() => m.toStoredEvent({ ...base, isJson: false, data: new Uint8Array([1]) })).toThrow(
        /JSON object/,
      );
      expect(() => m.toStoredEvent({ ...base, metadata: { hash: 'x' } })).toThrow(/Dukao metadata/);
      expect(() => m.toStoredEvent({ ...base, metadata: undefined })).toThrow(/Dukao metadata/);
    });
  });

  describe('filters', () => {
    it('sends prefixes, else event types, else "no system streams" to the server', () => {
      expect(m.serverFilter({ streamPrefixes: ['target-'], eventTypes: ['TargetIssued'] })).toMatchObject({
        filterOn: 'streamName',
        prefixes: ['target-'],
      });
      const byType = m.serverFilter({ streamPrefixes: [], eventTypes: ['TargetIssued', 'TargetWithdrawn'] });
      expect(byType).toMatchObject({ filterOn: 'eventType', regex: '^(?:TargetIssued|TargetWithdrawn)$' });
      const regex = new RegExp((byType as { regex: string }).regex);
      expect(
        ['TargetIssued', 'TargetWithdrawn', 'TargetIssuedAgain', 'XTargetIssued'].map((t) => regex.test(t)),
      ).toEqual([true, true, false, false]);
      const none = m.serverFilter(undefined);
      expect(none).toMatchObject({ filterOn: 'streamName', regex: '^[A-Za-z]' });
      const logStreams = new RegExp((none as { regex: string }).regex);
      expect(
        [
          'target-1',
          '$stats-127.0.0.1:2113',
          '$$target-1',
          m.eventIdStream('6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01'),
        ].map((s) => logStreams.test(s)),
      ).toEqual([true, false, false, false]);
    });

    it('escapes regex metacharacters so a type or prefix matches only itself', () => {
      const odd = 'a.b*c+(d)|[e]{2}^$\\f?';
      expect(new RegExp(`^${m.escapeRegex(odd)}$`).test(odd)).toBe(true);
      expect(new RegExp(`^${m.escapeRegex('a.b')}$`).test('axb')).toBe(false);
    });

    it('checks the whole filter on the client, and always drops system events and id reservations', () => {
      const filter = { streamPrefixes: ['target-', 'report-'], eventTypes: ['TargetIssued'] };
      expect(m.matchesFilter({ streamId: 'target-1', type: 'TargetIssued' }, filter)).toBe(true);
      expect(m.matchesFilter({ streamId: 'report-1', type: 'TargetIssued' }, filter)).toBe(true);
      expect(m.matchesFilter({ streamId: 'target-1', type: 'TargetAdjusted' }, filter)).toBe(false);
      expect(m.matchesFilter({ streamId: 'unit-1', type: 'TargetIssued' }, filter)).toBe(false);
      expect(m.matchesFilter({ streamId: 'target-1', type: 'TargetAdjusted' }, undefined)).toBe(true);
      expect(m.matchesFilter({ streamId: 'target-1', type: '$metadata' }, undefined)).toBe(false);
      expect(
        m.matchesFilter(
          { streamId: '$et-TargetIssued', type: 'TargetIssued' },
          { eventTypes: ['TargetIssued'] },
        ),
      ).toBe(false);
      const reservation = m.eventIdStream('6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01');
      expect(
        m.matchesFilter({ streamId: reservation, type: 'dukao.event-id-reserved' }, { streamPrefixes: [''] }),
      ).toBe(false);
    });
  });

  describe('event id reservations', () => {
    it('live in streams no Dukao stream id can name, keyed by the lower-case id', () => {
      const stream = m.eventIdStream('6F1C1A0E-3F5C-4D3A-9A57-0D5B1D9E7A01');
      expect(stream).toBe('_dukao-event-id-6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01');
      expect(m.isLogStream(stream)).toBe(false);
      expect(() => validateNewEvents(stream, [newEvent('A')])).toThrow(/stream id/);
    });
  });

  describe('stream read ranges', () => {
    const max = Number.MAX_SAFE_INTEGER;

    it('reads forwards from the start and backwards from the end by default', () => {
      expect(m.streamReadPlan({})).toEqual({ fromRevision: 'start', maxCount: max, to: undefined });
      expect(m.streamReadPlan({ direction: 'backwards' })).toEqual({
        fromRevision: 'end',
        maxCount: max,
        to: undefined,
      });
    });

    it('bounds the count by the inclusive range and the limit', () => {
      expect(m.streamReadPlan({ from: 1, to: 3 })).toEqual({ fromRevision: 1n, maxCount: 3, to: 3 });
      expect(m.streamReadPlan({ from: 2, limit: 2 })).toEqual({
        fromRevision: 2n,
        maxCount: 2,
        to: undefined,
      });
      expect(m.streamReadPlan({ from: 3, direction: 'backwards', limit: 2 })).toEqual({
        fromRevision: 3n,
        maxCount: 2,
        to: undefined,
      });
      expect(m.streamReadPlan({ from: 5, to: 2, direction: 'backwards' })).toEqual({
        fromRevision: 5n,
        maxCount: 4,
        to: 2,
      });
      expect(m.streamReadPlan({ to: 4 })).toEqual({ fromRevision: 'start', maxCount: 5, to: 4 });
      // Backwards from the end to a revision: the count is unknown, the read stops at `to`.
      expect(m.streamReadPlan({ to: 4, direction: 'backwards' })).toEqual({
        fromRevision: 'end',
        maxCount: max,
        to: 4,
      });
    });

    it('reads nothing for an empty range', () => {
      expect(m.streamReadPlan({ from: 3, to: 2 })).toBeNull();
      expect(m.streamReadPlan({ from: 2, to: 3, direction: 'backwards' })).toBeNull();
      expect(m.streamReadPlan({ limit: 0 })).toBeNull();
      expect(m.streamReadPlan({ from: -1, direction: 'backwards' })).toBeNull();
      expect(m.streamReadPlan({ from: -1 })).toEqual({ fromRevision: 0n, maxCount: max, to: undefined });
    });
  });

  describe('retried appends', () => {
    const a = newEvent('A');
    const b = newEvent('B');

    it('is no retry when none of the ids is stored', () => {
      expect(m.matchRetry('target-1', [a, b], new Map())).toBeNull();
    });

    it('returns the original result when every id is stored consecutively with the same types', () => {
      const found = new Map([
        [a.id, stored(a.id, 'A', 3, 900)],
        [b.id, stored(b.id, 'B', 4, 950)],
      ]);
      expect(m.matchRetry('target-1', [a, b], found)).toEqual({ nextRevision: 4, position: 950 });
    });

    it('refuses partial matches, other types, gaps and ids stored by another append', () => {
      const refuse = (found: Map<string, StoredEvent>) =>
        expect(() => m.matchRetry('target-1', [a, b], found)).toThrow(DuplicateEventIdError);
      refuse(new Map([[a.id, stored(a.id, 'A', 3)]]));
      refuse(new Map([[b.id, stored(b.id, 'B', 4)]]));
      refuse(
        new Map([
          [a.id, stored(a.id, 'A', 3)],
          [b.id, stored(b.id, 'Other', 4)],
        ]),
      );
      refuse(
        new Map([
          [a.id, stored(a.id, 'A', 3)],
          [b.id, stored(b.id, 'B', 5)],
        ]),
      );
    });
  });
});
