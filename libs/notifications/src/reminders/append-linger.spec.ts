import { AppendLinger } from './append-linger';

/** Lets every pending callback (microtasks, immediates) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AppendLinger', () => {
  it('holds the sends that are ready until every send on the way is ready or has left', async () => {
    const linger = new AppendLinger(60_000);
    const [a, b, c] = [linger.enter(), linger.enter(), linger.enter()];
    const released: string[] = [];
    void a.ready().then(() => released.push('a'));
    void b.ready().then(() => released.push('b'));
    await settle();
    expect(released).toEqual([]);
    expect(linger.state).toEqual({ onTheWay: 1, waiting: 2 });
    c.leave();
    await settle();
    expect(released).toEqual(['a', 'b']);
    expect(linger.state).toEqual({ onTheWay: 0, waiting: 0 });
  });

  it('releases a lone send at once, and counts a turn once whatever is called twice', async () => {
    const linger = new AppendLinger(60_000);
    const a = linger.enter();
    await a.ready();
    a.leave();
    await a.ready();
    expect(linger.state).toEqual({ onTheWay: 0, waiting: 0 });
    const b = linger.enter();
    b.leave();
    b.leave();
    expect(linger.state).toEqual({ onTheWay: 0, waiting: 0 });
  });

  it('does not hold the ready sends longer than maxWaitMs for one that stays on the way', async () => {
    const linger = new AppendLinger(1);
    const slow = linger.enter();
    const ready = linger.enter().ready();
    await expect(ready).resolves.toBeUndefined();
    expect(linger.state).toEqual({ onTheWay: 1, waiting: 0 });
    slow.leave();
    expect(linger.state).toEqual({ onTheWay: 0, waiting: 0 });
  });
});
