/**
 * Lets the `SmsSent` appends of concurrent sends reach the event store together, so that they share
 * one of its group commits (one fsync with the durable SQLite log) instead of one each turn of the
 * event loop in which a send happens to get there.
 *
 * A send announces itself when it starts (`enter`), and before appending waits in `ready` until
 * every send so announced is ready too (or ended without appending, `leave`), or until `maxWaitMs`
 * passed since the first of them waited: a send held by a slow provider or store holds the others
 * back no longer than that. It only delays appends: each is still its own append, acknowledged when
 * durable, idempotent by its event id, and failing alone (the store's group commit isolates it).
 */
/** One send's place in an {@link AppendLinger}. */
export interface AppendTurn {
  /** Resolves when this send may append: with the others on the way, or after `maxWaitMs`. */
  ready(): Promise<void>;
  /** This send will not append (any more): the others stop waiting for it. Idempotent. */
  leave(): void;
}

export class AppendLinger {
  private onTheWay = 0;
  private held: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly maxWaitMs: number) {}

  /** A send that may append soon. Its turn must end: `ready` then the append, or `leave`. */
  enter(): AppendTurn {
    this.onTheWay += 1;
    let state: 'onTheWay' | 'ready' | 'left' = 'onTheWay';
    return {
      ready: () => {
        if (state !== 'onTheWay') return Promise.resolve();
        state = 'ready';
        this.onTheWay -= 1;
        return new Promise<void>((resolve) => {
          this.held.push(resolve);
          this.check();
        });
      },
      leave: () => {
        if (state !== 'onTheWay') return;
        state = 'left';
        this.onTheWay -= 1;
        this.check();
      },
    };
  }

  /** How many sends are on the way and how many wait (for tests and metrics). */
  get state(): { onTheWay: number; waiting: number } {
    return { onTheWay: this.onTheWay, waiting: this.held.length };
  }

  private check(): void {
    if (this.held.length === 0) return;
    if (this.onTheWay <= 0) this.release();
    else this.timer ??= setTimeout(() => this.release(), this.maxWaitMs);
  }

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = [];
    for (const resolve of held) resolve();
  }
}
