import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ReminderJobPayload } from './reminder-planner.reactor';
import { SqliteGroupCommit } from './sqlite-group-commit';

/**
 * A digest's life: `open` (collecting a person's reminder items), `sealed` (its text is fixed and it
 * is being sent; a retry sends exactly this text under the same key), `sent`, or `failed` (the
 * provider refused it for good).
 */
export type DigestState = 'open' | 'sealed' | 'sent' | 'failed';

export interface Digest {
  /** The message's idempotency key, sent to the gateway; also the 'sms' job's key. */
  key: string;
  userId: string;
  phone: string;
  state: DigestState;
  openedAt: string;
  /** Its reminder items in the order they joined. */
  items: ReminderJobPayload[];
  text: string | null;
  sealedAt: string | null;
  sentAt: string | null;
  providerId: string | null;
  error: string | null;
}

interface DigestRow {
  key: string;
  user_id: string;
  phone: string;
  state: DigestState;
  opened_at: string;
  text: string | null;
  sealed_at: string | null;
  sent_at: string | null;
  provider_id: string | null;
  error: string | null;
}

/** The digest key of a person's digest opened at an instant: letters, digits, '_', '.' and '-' only (job keys). */
export function digestKeyOf(userId: string, openedAt: string): string {
  const who = createHash('sha256').update(userId).digest('hex').slice(0, 16);
  return `sms_${who}_${openedAt.replace(/[-:.TZ]/g, '')}`;
}

/**
 * What the reminder sender has queued and sent, whatever the gateway, on its own SQLite file
 * (`<DATA_DIR>/sms-ledger.sqlite`): it outlives the job queue's records (Redis may drop completed
 * jobs or fail over), so a reminder item already sent is never sent again.
 *
 * Each reminder item (a reminder key) belongs to at most one digest, ever (primary key). A person has
 * at most one open digest: items due to them join it until it is sealed, so one person's several due
 * items go out as one message. Sealing fixes the text, so a retry after a crash between the gateway and
 * `markSent` resends the same text under the same key, which the gateway dedupes.
 *
 * `seal` and `markSent`, the two writes of every send, share a commit with the concurrent sends of
 * the same turn of the event loop ({@link SqliteGroupCommit}): they apply at once (so this process
 * reads them at once), and their promise resolves once committed. The other writes commit what is
 * pending first and then commit on their own before they return, as before.
 */
export class SmsLedger {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly group: SqliteGroupCommit;

  constructor(filename: string) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // Survives a process crash without an fsync per message; what a power loss could take back is
    // known to the log (SmsSent, appended with full sync before `markSent`), which the sender checks.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sms_digests (
        key TEXT PRIMARY KEY, user_id TEXT NOT NULL, phone TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'sealed', 'sent', 'failed')),
        opened_at TEXT NOT NULL, text TEXT, sealed_at TEXT, sent_at TEXT, provider_id TEXT, error TEXT
      ) STRICT;
      CREATE UNIQUE INDEX IF NOT EXISTS sms_digests_one_open ON sms_digests (user_id) WHERE state = 'open';
      CREATE INDEX IF NOT EXISTS sms_digests_by_phone ON sms_digests (phone, sealed_at);
      CREATE TABLE IF NOT EXISTS sms_items (
        reminder_key TEXT PRIMARY KEY, digest_key TEXT NOT NULL REFERENCES sms_digests (key),
        seq INTEGER NOT NULL, payload TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS sms_items_by_digest ON sms_items (digest_key, seq);`);
    this.group = new SqliteGroupCommit(this.db);
  }

  /** The digest an item joined, or null when it has not joined one. */
  digestOfItem(reminderKey: string): Digest | null {
    const row = this.stmt('SELECT digest_key FROM sms_items WHERE reminder_key = ?').get(reminderKey) as
      { digest_key: string } | undefined;
    return row ? this.digest(row.digest_key) : null;
  }

  digest(key: string): Digest | null {
    const row = this.stmt('SELECT * FROM sms_digests WHERE key = ?').get(key) as DigestRow | undefined;
    if (!row) return null;
    const items = (
      this.stmt('SELECT payload FROM sms_items WHERE digest_key = ? ORDER BY seq').all(key) as Array<{
        payload: string;
      }>
    ).map((r) => JSON.parse(r.payload) as ReminderJobPayload);
    return {
      key: row.key,
      userId: row.user_id,
      phone: row.phone,
      state: row.state,
      openedAt: row.opened_at,
      items,
      text: row.text,
      sealedAt: row.sealed_at,
      sentAt: row.sent_at,
      providerId: row.provider_id,
      error: row.error,
    };
  }

  /**
   * Adds the item to the person's open digest, opening one at `now` when there is none. Answers the
   * digest it is in (`joined: false` when the item was already in a digest, maybe another one).
   */
  join(
    item: ReminderJobPayload,
    person: { userId: string; phone: string },
    now: string,
  ): { digestKey: string; opened: boolean; joined: boolean } {
    this.group.commitNow();
    return this.db.transaction(() => {
      const known = this.stmt('SELECT digest_key FROM sms_items WHERE reminder_key = ?').get(
        item.reminderKey,
      ) as { digest_key: string } | undefined;
      if (known) return { digestKey: known.digest_key, opened: false, joined: false };
      const open = this.stmt("SELECT key FROM sms_digests WHERE user_id = ? AND state = 'open'").get(
        person.userId,
      ) as { key: string } | undefined;
      let digestKey = open?.key;
      if (!digestKey) {
        digestKey = digestKeyOf(person.userId, now);
        this.stmt(
          "INSERT INTO sms_digests (key, user_id, phone, state, opened_at) VALUES (?, ?, ?, 'open', ?)",
        ).run(digestKey, person.userId, person.phone, now);
      }
      const seq = (
        this.stmt('SELECT COUNT(*) AS n FROM sms_items WHERE digest_key = ?').get(digestKey) as {
          n: number;
        }
      ).n;
      this.stmt('INSERT INTO sms_items (reminder_key, digest_key, seq, payload) VALUES (?, ?, ?, ?)').run(
        item.reminderKey,
        digestKey,
        seq,
        JSON.stringify(item),
      );
      return { digestKey, opened: !open, joined: true };
    })();
  }

  /**
   * Fixes the digest's text (made by `compose` from its items) unless it is sealed already, and
   * answers it once committed. Items arriving afterwards open the person's next digest. The seal
   * applies before this returns (a `sendsTo` right after counts it), so the caller's per-phone check
   * and the seal are one step when nothing is awaited between them.
   *
   * `known` is the digest as the caller read it: when it is still open with the same items (items
   * are only ever added), it is sealed by one conditional UPDATE and answered without reading it
   * again; otherwise the digest is read and sealed in a savepoint as it stands.
   */
  seal(
    key: string,
    now: string,
    compose: (items: ReminderJobPayload[]) => string,
    known?: Digest,
  ): Promise<Digest> {
    return this.group.write(() => {
      if (known?.key === key && known.state === 'open') {
        const text = compose(known.items);
        const sealed = this.stmt(
          `UPDATE sms_digests SET state = 'sealed', text = ?, sealed_at = ? WHERE key = ? AND state = 'open'
           AND (SELECT COUNT(*) FROM sms_items WHERE digest_key = ?) = ?`,
        ).run(text, now, key, key, known.items.length);
        if (sealed.changes === 1) return { ...known, state: 'sealed' as const, text, sealedAt: now };
      }
      return this.db.transaction(() => {
        const digest = this.digest(key);
        if (!digest) throw new Error(`unknown digest ${key}`);
        if (digest.state !== 'open') return digest;
        const text = compose(digest.items);
        this.stmt("UPDATE sms_digests SET state = 'sealed', text = ?, sealed_at = ? WHERE key = ?").run(
          text,
          now,
          key,
        );
        return { ...digest, state: 'sealed' as const, text, sealedAt: now };
      })();
    });
  }

  /** Marks a sealed digest sent; resolves once committed. */
  markSent(key: string, sentAt: string, providerId: string): Promise<void> {
    return this.group.write(() => {
      this.stmt(
        "UPDATE sms_digests SET state = 'sent', sent_at = ?, provider_id = ?, error = NULL WHERE key = ? AND state = 'sealed'",
      ).run(sentAt, providerId, key);
    });
  }

  /**
   * Resolves once every write applied so far is committed: a caller about to act on a state it read
   * (a seal another send made in this turn) waits for it first.
   */
  committed(): Promise<void> {
    return this.group.committed();
  }

  /** Brings the ledger in line with an `SmsSent` the log has (after a power loss took the mark back). */
  markSentFromLog(key: string, sentAt: string, providerId: string): void {
    this.group.commitNow();
    this.stmt(
      "UPDATE sms_digests SET state = 'sent', sent_at = ?, provider_id = ?, error = NULL, sealed_at = COALESCE(sealed_at, ?) WHERE key = ? AND state != 'sent'",
    ).run(sentAt, providerId, sentAt, key);
  }

  /** The provider refused the message for good: it is never sent, and its items stay with it (visible). */
  markFailed(key: string, error: string): void {
    this.group.commitNow();
    this.stmt(
      "UPDATE sms_digests SET state = 'failed', error = ? WHERE key = ? AND state IN ('open', 'sealed')",
    ).run(error, key);
  }

  /**
   * Instants of the messages to `phone` sent, or sealed and about to be sent, at or after `since`:
   * what the per-phone limits count.
   */
  sendsTo(phone: string, since: string): string[] {
    return (
      this.stmt(
        "SELECT COALESCE(sent_at, sealed_at) AS at FROM sms_digests WHERE phone = ? AND state IN ('sealed', 'sent') AND sealed_at >= ? ORDER BY at",
      ).all(phone, since) as Array<{ at: string }>
    ).map((r) => r.at);
  }

  /** Whether the item went out in a sent message. */
  wasSent(reminderKey: string): boolean {
    return this.digestOfItem(reminderKey)?.state === 'sent';
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  close(): void {
    if (!this.db.open) return;
    this.group.commitNow();
    this.db.close();
  }
}
