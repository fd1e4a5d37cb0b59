import { IntervalSchedule } from './interval-schedule';

describe('IntervalSchedule', () => {
  const logged: string[] = [];
  const logger = {
    warn: (message: string) => void logged.push(`warn ${message}`),
    error: (message: string) => void logged.push(`error ${message}`),
  };
  const schedules: IntervalSchedule[] = [];
  const schedule = (minutes: number, run: () => Promise<void>) => {
    const created = new IntervalSchedule('test run', minutes, run, logger);
    schedules.push(created);
    return created;
  };

  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    for (const s of schedules.splice(0)) await s.stop();
    logged.length = 0;
    jest.useRealTimers();
  });

  it('runs once per interval, the first one interval after start', async () => {
    let runs = 0;
    schedule(2, async () => void (runs += 1)).start();
    await jest.advanceTimersByTimeAsync(119_000);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(240_000);
    expect(runs).toBe(3);
  });

  it('never runs when the interval is 0', async () => {
    let runs = 0;
    schedule(0, async () => void (runs += 1)).start();
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(runs).toBe(0);
  });

  it('skips a tick while the previous run is still going', async () => {
    let runs = 0;
    let finish!: () => void;
    schedule(1, async () => {
      runs += 1;
      await new Promise<void>((resolve) => (finish = resolve));
    }).start();
    await jest.advanceTimersByTimeAsync(180_000);
    expect(runs).toBe(1);
    expect(logged).toEqual([
      'warn test run: the previous run is still going; skipping this one',
      'warn test run: the previous run is still going; skipping this one',
    ]);
    finish();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(2);
    finish();
  });

  it('logs a failed run and runs again at the next tick', async () => {
    let runs = 0;
    schedule(1, async () => {
      runs += 1;
      throw new Error('store unreachable');
    }).start();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(runs).toBe(2);
    expect(logged).toEqual([
      'error test run failed: Error: store unreachable',
      'error test run failed: Error: store unreachable',
    ]);
  });

  it('stop waits for the run in progress and ends the ticks', async () => {
    let finish!: () => void;
    let runs = 0;
    const running = schedule(1, async () => {
      runs += 1;
      await new Promise<void>((resolve) => (finish = resolve));
    });
    running.start();
    await jest.advanceTimersByTimeAsync(60_000);
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(runs).toBe(1);
  });
});
