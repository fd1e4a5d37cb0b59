/**
 * Calls `run` every `minutes` (0: never) from `start` until `stop`; the first call is one interval
 * after `start`. A tick that comes while the previous run is still going is skipped, so a run slower
 * than the interval never overlaps the next. A failed run is logged, never thrown: the next tick
 * tries again.
 */
export class IntervalSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly minutes: number,
    private readonly run: () => Promise<void>,
    private readonly logger: { warn(message: string): void; error(message: string): void },
  ) {}

  start(): void {
    if (this.minutes <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.minutes * 60_000);
    // A schedule alone does not keep the process alive.
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress, so it ends before the stores close. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs now, unless a run is in progress (then skips); resolves when the run ends. */
  tick(): Promise<void> {
    if (this.running) {
      this.logger.warn(`${this.name}: the previous run is still going; skipping this one`);
      return this.running;
    }
    this.running = this.run()
      .catch((error: unknown) => this.logger.error(`${this.name} failed: ${String(error)}`))
      .finally(() => (this.running = null));
    return this.running;
  }
}
