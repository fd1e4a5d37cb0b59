import type Database from 'better-sqlite3';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a SQLite file written by many concurrent sends (the SMS ledger, the outbox): a
 * write runs at once, inside a transaction that stays open until the end of this turn of the event
 * loop, and its promise settles after that transaction's COMMIT. So the writes of every send that
 * reaches this point in the same turn share one commit, and every read on this connection sees them
 * at once (the per-phone count of the next send sees the seal of this one, as before).
 *
 * What a caller may rely on: when the promise of a write resolves, the write is committed with the
 * file's durability (a process crash no longer loses it), exactly as when it was committed alone;
 * when it rejects, nothing of it stays (a failed statement is undone by SQLite, a failed COMMIT
 * rolls the whole turn back, and every write of that turn rejects). Nobody may act on a write (send
 * the SMS, complete the job) before its promise resolves; a crash before COMMIT then loses only
 * writes nobody acted upon. Writers that need their change committed before they return (the
 * synchronous ones) call {@link commitNow} first and then write as before.
 */
export class SqliteGroupCommit {
  private open: Waiter[] | null = null;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
  }

  /**
   * Runs `apply` now, in this turn's transaction (opened if needed), and answers its value once that
   * transaction is committed. `apply` must be one statement, or wrap several in `db.transaction`
   * (a savepoint here), so that a throw leaves none of them behind.
   */
  write<T>(apply: () => T): Promise<T> {
    // The executor runs now, so `apply` does too; a throw (of BEGIN or of `apply`) rejects.
    return new Promise<T>((resolve, reject) => {
      if (!this.open) {
        this.begin.run();
        this.open = [];
        setImmediate(() => this.commitNow());
      }
      const value = apply();
      this.open.push({ resolve: () => resolve(value), reject });
    });
  }

  /** Resolves once everything written so far is committed (at once when nothing is pending). */
  committed(): Promise<void> {
    return this.open
      ? new Promise<void>((resolve, reject) => this.open!.push({ resolve, reject }))
      : Promise.resolve();
  }

  /** Commits this turn's transaction now, if one is open; its writers' promises settle. Never throws. */
  commitNow(): void {
    const waiters = this.open;
    if (!waiters) return;
    this.open = null;
    try {
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  /** Whether a write of this turn is waiting for its commit. */
  get pending(): boolean {
    return this.open !== null;
  }
}
