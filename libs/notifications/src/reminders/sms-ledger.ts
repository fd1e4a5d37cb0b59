import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * What the reminder sender has sent, whatever the gateway: one row per idempotency key, with the
 * phone and instant, on its own SQLite file (`<DATA_DIR>/sms-ledger.sqlite`). It answers "was this
 * key sent already" (at most one SMS per key, across restarts and retries) and the phone's recent
 * sends for the provider's per-phone limits.
 */
export class SmsLedger {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly has: Database.Statement;
  private readonly recent: Database.Statement;

  constructor(filename: string) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS sms_sent (
      key TEXT PRIMARY KEY, phone TEXT NOT NULL, sent_at TEXT NOT NULL, provider_id TEXT NOT NULL
    ) STRICT; CREATE INDEX IF NOT EXISTS sms_sent_by_phone ON sms_sent (phone, sent_at);`);
    this.insert = this.db.prepare(
      'INSERT INTO sms_sent (key, phone, sent_at, provider_id) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.has = this.db.prepare('SELECT 1 FROM sms_sent WHERE key = ?');
    this.recent = this.db.prepare(
      'SELECT sent_at FROM sms_sent WHERE phone = ? AND sent_at >= ? ORDER BY sent_at',
    );
  }

  async wasSent(key: string): Promise<boolean> {
    return this.has.get(key) !== undefined;
  }

  async record(key: string, phone: string, sentAt: string, providerId: string): Promise<void> {
    this.insert.run(key, phone, sentAt, providerId);
  }

  /** Instants of the sends to `phone` at or after `since`. */
  async sendsTo(phone: string, since: string): Promise<string[]> {
    return (this.recent.all(phone, since) as Array<{ sent_at: string }>).map((r) => r.sent_at);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
