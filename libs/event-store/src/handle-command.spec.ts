import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveEventId } from './event-id';
import { type EventStore, type StoredEvent, WrongExpectedRevisionError } from './event-store.port';
import { type CommandContext, type CommandResult, type Decider, handleCommand } from './handle-command';
import { SqliteEventStore } from './sqlite.event-store';

// ---------------------------------------------------------------------------------------------------
// Tiny pure deciders, defined here so the spec depends on nothing but the event store.
// ---------------------------------------------------------------------------------------------------

class Refused extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'Refused';
  }
}

type TargetCommand =
  | { type: 'Issue'; value: number; initialAdjustment?: number }
  | { type: 'Adjust'; by: number }
  | { type: 'Close' };

type TargetEvent =
  | { type: 'TargetIssued'; data: { value: number } }
  | { type: 'TargetAdjusted'; data: { by: number; to: number } }
  | { type: 'TargetClosed'; data: { value: number } };

interface TargetState {
  status: 'none' | 'open' | 'closed';
  value: number;
}

const target: Decider<TargetCommand, TargetState, TargetEvent> = {
  initialState: () => ({ status: 'none', value: 0 }),
  evolve(state, event) {
    switch (event.type) {
      case 'TargetIssued':
        return { status: 'open', value: event.data.value };
      case 'TargetAdjusted':
        return { ...state, value: event.data.to };
      case 'TargetClosed':
        return { ...state, status: 'closed' };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'Issue': {
        if (state.status !== 'none') throw new Refused('ALREADY_ISSUED');
        const issued: TargetEvent = { type: 'TargetIssued', data: { value: command.value } };
        if (!command.initialAdjustment) return [issued];
        const to = command.value + command.initialAdjustment;
        return [issued, { type: 'TargetAdjusted', data: { by: command.initialAdjustment, to } }];
      }
      case 'Adjust':
        if (state.status === 'none') throw new Refused('NOT_ISSUED');
        if (state.status === 'closed') throw new Refused('ALREADY_CLOSED');
        // Adjusting by nothing is not a fact: no events.
        if (command.by === 0) return [];
        // `to` depends on the state the command was decided against, so a re-decision is visible.
        return [{ type: 'TargetAdjusted', data: { by: command.by, to: state.value + command.by } }];
      case 'Close':
        if (state.status === 'none') throw new Refused('NOT_ISSUED');
        if (state.status === 'closed') throw new Refused('ALREADY_CLOSED');
        return [{ type: 'TargetClosed', data: { value: state.value } }];
    }
  },
};

type CounterEvent = { type: 'Incremented'; data: { count: number } };
const counter: Decider<{ type: 'Increment' }, number, CounterEvent> = {
  initialState: () => 0,
  evolve: (_count, event) => event.data.count,
  decide: (_command, count) => [{ type: 'Incremented', data: { count: count + 1 } }],
};

// ---------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-hc-'));
  dirs.push(dir);
  return join(dir, 'events.sqlite');
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let store: SqliteEventStore;
beforeEach(() => {
  store = new SqliteEventStore({ filename: tempFile() });
});
afterEach(async () => {
  await store.close();
});

const actor = { userId: 'u-1', role: 'assessmentAdmin', unitId: 'unit-9' };

function ctx(commandId: string, overrides: Partial<CommandContext> = {}): CommandContext {
  return {
    commandId,
    actor,
    correlationId: `corr-${commandId}`,
    causationId: `cause-${commandId}`,
    ...overrides,
  };
}

const idFor = (streamId: string, commandId: string, index: number) =>
  deriveEventId(`${streamId}\u0000${commandId}`, index);

const logLength = async () => (await store.readAll()).length;

/** Appends an event straight to the store, as another process would. */
function interloperAppend(into: EventStore, streamId: string, type: string, data: StoredEvent['data']) {
  return into.append(
    streamId,
    [
      {
        id: randomUUID(),
        type,
        data,
        metadata: { actor: { userId: 'u-other', role: 'admin' }, correlationId: 'other' },
      },
    ],
    { expectedRevision: 'any' },
  );
}

/**
 * A store whose first `append` first lets another writer append to the same stream (between the
 * command's read and its append), then delegates. Counts the reads and appends that reach the store.
 */
function racingStore(inner: EventStore, interloper: (inner: EventStore) => Promise<unknown>) {
  const calls = { readStream: 0, append: 0 };
  let raced = false;
  const proxy = new Proxy(inner, {
    get(target, key) {
      if (key === 'append') {
        return async (...args: Parameters<EventStore['append']>) => {
          calls.append += 1;
          if (!raced) {
            raced = true;
            await interloper(target);
          }
          return target.append(...args);
        };
      }
      if (key === 'readStream') {
        return (...args: Parameters<EventStore['readStream']>) => {
          calls.readStream += 1;
          return target.readStream(...args);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, calls };
}

/** The original result as a replay returns it: stored events carry their schema version. */
function asReplayed<State>(original: CommandResult<State>): CommandResult<State> {
  return { ...original, events: original.events.map((e) => ({ schemaVersion: 1, ...e })), replayed: true };
}

async function issue(streamId: string, commandId = 'cmd-issue', value = 100) {
  return handleCommand(store, streamId, target, { type: 'Issue', value }, ctx(commandId));
}

// ---------------------------------------------------------------------------------------------------

describe('handleCommand', () => {
  describe('on an empty stream', () => {
    it('appends the first command with no_stream and returns revision, position, events and folded state', async () => {
      const append = jest.spyOn(store, 'append');
      const result = await issue('target-1');
      expect(append).toHaveBeenCalledTimes(1);
      expect(append.mock.calls[0]![2]).toEqual({ expectedRevision: 'no_stream' });
      expect(result).toEqual({
        streamId: 'target-1',
        nextRevision: 0,
        position: 1,
        events: [{ type: 'TargetIssued', data: { value: 100 } }],
        state: { status: 'open', value: 100 },
        replayed: false,
      });
    });

    it('stores the context envelope (actor, correlation, causation, command id, occurredAt) and derived ids', async () => {
      await handleCommand(
        store,
        'target-1',
        target,
        { type: 'Issue', value: 100, initialAdjustment: 5 },
        ctx('cmd-1', { occurredAt: '2026-06-30T16:00:00.000Z' }),
      );
      const stored = await store.readStream('target-1');
      expect(stored).toHaveLength(2);
      stored.forEach((event, index) => {
        expect(event.id).toBe(deriveEventId(`target-1\u0000cmd-1`, index));
        expect(event.revision).toBe(index);
        expect(event.schemaVersion).toBe(1);
        expect(event.metadata).toMatchObject({
          actor,
          correlationId: 'corr-cmd-1',
          causationId: 'cause-cmd-1',
          commandId: 'cmd-1',
          occurredAt: '2026-06-30T16:00:00.000Z',
        });
      });
      expect(stored.map((e) => [e.type, e.data])).toEqual([
        ['TargetIssued', { value: 100 }],
        ['TargetAdjusted', { by: 5, to: 105 }],
      ]);
    });

    it('stores a null causation id when the context has none', async () => {
      await handleCommand(
        store,
        'target-1',
        target,
        { type: 'Issue', value: 1 },
        ctx('cmd-1', { causationId: undefined }),
      );
      const [event] = await store.readStream('target-1');
      expect(event!.metadata.causationId).toBeNull();
    });

    it('returns revision -1 and position null when the decider decides nothing, and creates no stream', async () => {
      const noop: Decider<unknown, number, CounterEvent> = { ...counter, decide: () => [] };
      const result = await handleCommand(store, 'counter-1', noop, {}, ctx('cmd-1'));
      expect(result).toEqual({
        streamId: 'counter-1',
        nextRevision: -1,
        position: null,
        events: [],
        state: 0,
        replayed: false,
      });
      expect(await store.streamRevision('counter-1')).toBeNull();
    });

    it('propagates a refusal and appends nothing', async () => {
      await expect(
        handleCommand(store, 'target-1', target, { type: 'Close' }, ctx('cmd-1')),
      ).rejects.toMatchObject({
        code: 'NOT_ISSUED',
      });
      expect(await logLength()).toBe(0);
    });
  });

  describe('on an existing stream', () => {
    beforeEach(async () => {
      await issue('target-1');
    });

    it('appends after the loaded revision and folds the new events into the state', async () => {
      const append = jest.spyOn(store, 'append');
      const result = await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 7 }, ctx('cmd-2'));
      expect(append.mock.calls[0]![2]).toEqual({ expectedRevision: 0 });
      expect(result).toEqual({
        streamId: 'target-1',
        nextRevision: 1,
        position: 2,
        events: [{ type: 'TargetAdjusted', data: { by: 7, to: 107 } }],
        state: { status: 'open', value: 107 },
        replayed: false,
      });
    });

    it('appends nothing when the decider returns [] and returns the current revision and position', async () => {
      await interloperAppend(store, 'other-1', 'Elsewhere', {});
      const result = await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 0 }, ctx('cmd-2'));
      // The position is that of the stream's last event (what a read-your-writes wait needs).
      expect(result).toEqual({
        streamId: 'target-1',
        nextRevision: 0,
        position: 1,
        events: [],
        state: { status: 'open', value: 100 },
        replayed: false,
      });
      expect(await logLength()).toBe(2);
    });

    it('propagates a refusal and appends nothing', async () => {
      await expect(issue('target-1', 'cmd-2')).rejects.toMatchObject({ code: 'ALREADY_ISSUED' });
      await expect(issue('target-1', 'cmd-2')).rejects.toBeInstanceOf(Refused);
      expect(await logLength()).toBe(1);
    });
  });

  describe('when the command id was handled before on this stream', () => {
    it('returns the original result, replayed, and appends nothing', async () => {
      const original = await issue('target-1', 'cmd-1');
      const again = await issue('target-1', 'cmd-1');
      expect(again).toEqual(asReplayed(original));
      expect(await logLength()).toBe(1);
    });

    it('returns the original result even when the retried body differs', async () => {
      const original = await handleCommand(
        store,
        'target-1',
        target,
        { type: 'Issue', value: 100, initialAdjustment: 5 },
        ctx('cmd-1'),
      );
      const again = await handleCommand(
        store,
        'target-1',
        target,
        { type: 'Issue', value: 999 },
        ctx('cmd-1'),
      );
      expect(again).toEqual(asReplayed(original));
      expect(again.events).toEqual([
        { type: 'TargetIssued', data: { value: 100 }, schemaVersion: 1 },
        { type: 'TargetAdjusted', data: { by: 5, to: 105 }, schemaVersion: 1 },
      ]);
      expect(await logLength()).toBe(2);
    });

    it('returns the state as of that command after other commands were appended', async () => {
      await issue('target-1', 'cmd-1');
      const adjusted = await handleCommand(
        store,
        'target-1',
        target,
        { type: 'Adjust', by: 5 },
        ctx('cmd-2'),
      );
      await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 10 }, ctx('cmd-3'));
      await interloperAppend(store, 'other-1', 'Elsewhere', {});
      const before = await logLength();

      const again = await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 5 }, ctx('cmd-2'));
      expect(again).toEqual({
        streamId: 'target-1',
        nextRevision: adjusted.nextRevision,
        position: adjusted.position,
        events: [{ type: 'TargetAdjusted', data: { by: 5, to: 105 }, schemaVersion: 1 }],
        state: { status: 'open', value: 105 },
        replayed: true,
      });
      expect(await logLength()).toBe(before);
    });

    it('returns the original result when the decider would now refuse the command', async () => {
      await issue('target-1', 'cmd-1');
      const closed = await handleCommand(store, 'target-1', target, { type: 'Close' }, ctx('cmd-2'));
      // Decided afresh, a second Close would be refused as ALREADY_CLOSED.
      await expect(
        handleCommand(store, 'target-1', target, { type: 'Close' }, ctx('cmd-3')),
      ).rejects.toMatchObject({
        code: 'ALREADY_CLOSED',
      });
      const again = await handleCommand(store, 'target-1', target, { type: 'Close' }, ctx('cmd-2'));
      expect(again).toEqual({
        ...closed,
        events: [{ type: 'TargetClosed', data: { value: 100 }, schemaVersion: 1 }],
        replayed: true,
      });
      expect(await logLength()).toBe(2);
    });

    it('returns the original result even with an If-Match revision that is now stale', async () => {
      const original = await issue('target-1', 'cmd-1');
      await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 1 }, ctx('cmd-2'));
      const again = await handleCommand(
        store,
        'target-1',
        target,
        { type: 'Issue', value: 100 },
        ctx('cmd-1'),
        {
          expectedRevision: 'no_stream',
        },
      );
      expect(again).toEqual(asReplayed(original));
      expect(await logLength()).toBe(2);
    });
  });

  describe('when the command id was handled before on another stream', () => {
    it('handles it as a separate command and appends to this stream', async () => {
      await issue('target-1', 'cmd-1');
      const other = await issue('target-2', 'cmd-1', 50);
      expect(other).toMatchObject({ streamId: 'target-2', nextRevision: 0, position: 2, replayed: false });
      const [first] = await store.readStream('target-1');
      const [second] = await store.readStream('target-2');
      expect(second!.id).toBe(idFor('target-2', 'cmd-1', 0));
      expect(second!.id).not.toBe(first!.id);
      expect(second!.metadata.commandId).toBe('cmd-1');
      expect(await logLength()).toBe(2);
    });
  });

  describe('when another writer appends between the read and the append', () => {
    beforeEach(async () => {
      await issue('target-1');
    });

    const interloper = (inner: EventStore) =>
      interloperAppend(inner, 'target-1', 'TargetAdjusted', { by: 10, to: 110 });

    it('reloads, decides again against the new state and succeeds', async () => {
      const racing = racingStore(store, interloper);
      const result = await handleCommand(
        racing.store,
        'target-1',
        target,
        { type: 'Adjust', by: 1 },
        ctx('cmd-2'),
      );
      expect(racing.calls).toEqual({ readStream: 2, append: 2 });
      expect(result).toMatchObject({
        nextRevision: 2,
        position: 3,
        events: [{ type: 'TargetAdjusted', data: { by: 1, to: 111 } }],
        state: { status: 'open', value: 111 },
        replayed: false,
      });
      const stored = await store.readStream('target-1');
      expect(stored.map((e) => e.data)).toEqual([{ value: 100 }, { by: 10, to: 110 }, { by: 1, to: 111 }]);
      expect(stored[2]!.id).toBe(idFor('target-1', 'cmd-2', 0));
    });

    it('surfaces a refusal that only the new state causes, and appends nothing more', async () => {
      const racing = racingStore(store, (inner) =>
        interloperAppend(inner, 'target-1', 'TargetClosed', { value: 100 }),
      );
      await expect(
        handleCommand(racing.store, 'target-1', target, { type: 'Adjust', by: 1 }, ctx('cmd-2')),
      ).rejects.toMatchObject({ code: 'ALREADY_CLOSED' });
      expect(await logLength()).toBe(2);
    });

    it('rejects with WrongExpectedRevisionError when maxRetries is 0', async () => {
      const racing = racingStore(store, interloper);
      await expect(
        handleCommand(racing.store, 'target-1', target, { type: 'Adjust', by: 1 }, ctx('cmd-2'), {
          maxRetries: 0,
        }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(racing.calls).toEqual({ readStream: 1, append: 1 });
      expect((await store.readStream('target-1')).map((e) => e.metadata.commandId)).toEqual([
        'cmd-issue',
        null,
      ]);
    });
  });

  describe('with the revision the client saw (If-Match)', () => {
    beforeEach(async () => {
      await issue('target-1');
    });

    it('appends when it matches the stream revision', async () => {
      const result = await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 2 }, ctx('cmd-2'), {
        expectedRevision: 0,
      });
      expect(result).toMatchObject({ nextRevision: 1, state: { value: 102 }, replayed: false });
      expect(await logLength()).toBe(2);
    });

    it('rejects a stale revision with WrongExpectedRevisionError and appends nothing', async () => {
      await handleCommand(store, 'target-1', target, { type: 'Adjust', by: 2 }, ctx('cmd-2'));
      const append = jest.spyOn(store, 'append');
      const attempt = handleCommand(store, 'target-1', target, { type: 'Adjust', by: 3 }, ctx('cmd-3'), {
        expectedRevision: 0,
      });
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(attempt).rejects.toMatchObject({ streamId: 'target-1', expected: 0, actual: 1 });
      expect(append).not.toHaveBeenCalled();
      expect(await logLength()).toBe(2);
    });

    it('does not retry when the stream changes between the read and the append', async () => {
      const racing = racingStore(store, (inner) =>
        interloperAppend(inner, 'target-1', 'TargetAdjusted', { by: 10, to: 110 }),
      );
      await expect(
        handleCommand(racing.store, 'target-1', target, { type: 'Adjust', by: 1 }, ctx('cmd-2'), {
          expectedRevision: 0,
          maxRetries: 5,
        }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(racing.calls).toEqual({ readStream: 1, append: 1 });
      expect(await logLength()).toBe(2);
    });

    it('appends to an empty stream when the client expects no_stream', async () => {
      const result = await handleCommand(
        store,
        'target-2',
        target,
        { type: 'Issue', value: 1 },
        ctx('cmd-2'),
        {
          expectedRevision: 'no_stream',
        },
      );
      expect(result).toMatchObject({ nextRevision: 0, replayed: false });
    });

    // A client that expected no stream must not write onto an existing one.
    it('rejects expectedRevision no_stream when the stream exists', async () => {
      await expect(
        handleCommand(store, 'target-1', target, { type: 'Adjust', by: 1 }, ctx('cmd-2'), {
          expectedRevision: 'no_stream',
        }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await logLength()).toBe(1);
    });
  });

  describe('under many concurrent commands on one stream', () => {
    it('lets every command succeed through retries and counts them all', async () => {
      const n = 20;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          handleCommand(store, 'counter-1', counter, { type: 'Increment' }, ctx(`inc-${i}`), {
            maxRetries: n,
          }),
        ),
      );
      expect(results.map((r) => r.nextRevision).sort((a, b) => a - b)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
      expect(results.every((r) => !r.replayed)).toBe(true);
      const stored = await store.readStream('counter-1');
      expect(
        stored
          .map((e) => e.data as CounterEvent['data'])
          .reduce(
            (count, data) => counter.evolve(count, { type: 'Incremented', data }),
            counter.initialState(),
          ),
      ).toBe(n);
      // Each increment was decided against the state right before it.
      stored.forEach((event) => expect(event.data).toEqual({ count: event.revision + 1 }));
    });

    // With group commit, one loser-round lets exactly one command win; jittered retries spread the rest.
    it('lets a burst of 20 succeed with the default retries', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          handleCommand(store, 'counter-1', counter, { type: 'Increment' }, ctx(`inc-${i}`)),
        ),
      );
      expect(await store.streamRevision('counter-1')).toBe(19);
    });
  });
});
