import { randomUUID } from 'node:crypto';
import { type EventStore, SqliteEventStore } from '@dukao/event-store';
import { auditViewRead } from './audit-read';
import { auditReadStream } from './audit-read.events';
import { AuditReadRecorder } from './audit-read.recorder';

const actor = { userId: 'u-insp', role: 'inspector', unitId: null };
const read = {
  userId: 'u-insp',
  role: 'inspector',
  view: 'auditTrail',
  route: 'GET /audit/events',
  params: {},
  query: { unitId: 'town-a', limit: 50, types: ['A', 'B'], empty: undefined },
};

describe('recording sensitive reads (查阅留痕)', () => {
  it('the event says who read which view with which filters, values as strings', () => {
    expect(auditViewRead({ ...read, readId: 'r-1', readAt: '2026-07-01T02:00:00.000Z' })).toEqual({
      type: 'AuditViewRead',
      data: {
        readId: 'r-1',
        userId: 'u-insp',
        role: 'inspector',
        view: 'auditTrail',
        route: 'GET /audit/events',
        params: {},
        query: { limit: '50', types: 'A,B', unitId: 'town-a' },
        readAt: '2026-07-01T02:00:00.000Z',
      },
    });
  });

  it('goes on the reader’s stream of the day', () => {
    expect(auditReadStream('u-insp', '2026-07-01T23:59:59.000Z')).toBe('auditread-u-insp:2026-07-01');
  });

  it('appends one event per read, several reads a day on one stream', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const recorder = new AuditReadRecorder(store, () => new Date('2026-07-01T02:00:00.000Z'));
    const first = await recorder.record(read, { actor, correlationId: 'c-1' });
    const second = await recorder.record(read, { actor, correlationId: 'c-2' });
    const stream = await store.readStream('auditread-u-insp:2026-07-01');
    expect(stream.map((e) => [e.id, e.type, e.metadata.actor.userId])).toEqual([
      [first.readId, 'AuditViewRead', 'u-insp'],
      [second.readId, 'AuditViewRead', 'u-insp'],
    ]);
    await store.close();
  });

  it('fails, rather than pretending, when the record cannot be written', async () => {
    const broken = { append: () => Promise.reject(new Error('disk full')) } as unknown as EventStore;
    const recorder = new AuditReadRecorder(broken, () => new Date());
    await expect(recorder.record(read, { actor, correlationId: randomUUID() })).rejects.toThrow('disk full');
  });
});
