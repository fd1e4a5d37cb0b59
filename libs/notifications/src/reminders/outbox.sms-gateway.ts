import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SmsGateway, SmsMessage } from './sms.port';
import { SqliteGroupCommit } from './sqlite-group-commit';

export interface OutboxMessage {
  key: string;
  to: string;
  text: string;
  providerId: string;
  sentAt: string;
}

/**
 * The embedded SMS gateway: it sends nothing, it stores every message in its own SQLite file
 * (`<DATA_DIR>/sms-outbox.sqlite`, no read model), idempotent by key: the same key twice is stored
 * once and answers the first message's provider id. `list` shows what would have been sent. The sends
 * of one turn of the event loop share a commit ({@link SqliteGroupCommit}); each answers once its
 * message is committed.
 *
 * Production gateways: `HttpSmsGateway` and `AliyunSmsGateway`, chosen by `SMS_GATEWAY`.
 */
export class OutboxSmsGateway implements SmsGateway {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly byKey: Database.Statement;
  private readonly group: SqliteGroupCommit;

  constructor(
    filename: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // The embedded stand-in for a provider: a process crash loses nothing, and a power loss at
    // worst forgets a message the log records as SmsSent.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS sms_outbox (
      key TEXT PRIMARY KEY, to_phone TEXT NOT NULL, text TEXT NOT NULL, provider_id TEXT NOT NULL, sent_at TEXT NOT NULL
    ) STRICT; CREATE INDEX IF NOT EXISTS sms_outbox_by_phone ON sms_outbox (to_phone, sent_at);`);
    this.insert = this.db.prepare(
      'INSERT INTO sms_outbox (key, to_phone, text, provider_id, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING provider_id',
    );
    this.byKey = this.db.prepare('SELECT provider_id FROM sms_outbox WHERE key = ?');
    this.group = new SqliteGroupCommit(this.db);
  }

  async send(message: SmsMessage): Promise<{ providerId: string }> {
    if (!message.key) throw new Error('an SMS needs an idempotency key');
    if (!message.to) throw new Error('an SMS needs a phone number');
    return this.group.write(() => {
      // A key stored before answers its first provider id (the insert returns no row then).
      const row = (this.insert.get(
        message.key,
        message.to,
        message.text,
        `outbox-${message.key}`,
        this.now().toISOString(),
      ) ?? this.byKey.get(message.key)) as { provider_id: string };
      return { providerId: row.provider_id };
    });
  }

  /** Stored messages, oldest first. */
  async list(options: { to?: string; limit?: number; skip?: number } = {}): Promise<OutboxMessage[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 0), 1000);
    const skip = Math.max(options.skip ?? 0, 0);
    // Lists committed messages only: a send of this turn whose commit then fails never shows.
    while (this.group.pending) await this.group.committed().catch(() => undefined);
    const rows = (
      options.to
        ? this.db
            .prepare('SELECT * FROM sms_outbox WHERE to_phone = ? ORDER BY sent_at, key LIMIT ? OFFSET ?')
            .all(options.to, limit, skip)
        : this.db.prepare('SELECT * FROM sms_outbox ORDER BY sent_at, key LIMIT ? OFFSET ?').all(limit, skip)
    ) as Array<{ key: string; to_phone: string; text: string; provider_id: string; sent_at: string }>;
    return rows.map((r) => ({
      key: r.key,
      to: r.to_phone,
      text: r.text,
      providerId: r.provider_id,
      sentAt: r.sent_at,
    }));
  }

  close(): void {
    if (!this.db.open) return;
    this.group.commitNow();
    this.db.close();
  }
}
