import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  computeEventHash,
  handleCommand,
  readAllPages,
} from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { checkSignature, describeKey, signDigest } from './log-digest.document';
import { logDigestDecider } from './log-digest.decider';
import { logNotIntact, signingKeyNotConfigured } from './log-digest.errors';
import {
  LOG_DIGEST_FORMAT,
  LOG_DIGEST_MERKLE,
  type LogDigestDocument,
  type LogDigestKey,
  type LogDigestTrigger,
  logDigestStream,
} from './log-digest.events';
import { MerkleFrontier } from './merkle';
import { type AuditSigningKey, loadSigningKey } from './signing-key';

/** How far the cached tree has read: its peaks and the last event it holds. */
interface TreeState {
  frontier: MerkleFrontier;
  firstPosition: number | null;
  lastPosition: number | null;
  lastEventId: string | null;
}

export interface RecordedDigest {
  document: LogDigestDocument;
  /** Log position of the LogDigestSigned event. */
  position: number | null;
  replayed: boolean;
}

/**
 * Computes, signs and records digests of the whole log (docs/audit.md, "Log digests").
 *
 * Incremental: the Merkle peaks are kept between digests, so a digest reads only the events appended
 * since the last one. On first use the peaks come from the last digest in the log signed with this
 * key (its document carries them), else from one pass over the log. Each event read on the way is
 * checked against its stored hash; a log that does not hash as stored is not signed (LOG_NOT_INTACT).
 * Digests are computed one at a time.
 */
@Injectable()
export class LogDigester implements OnApplicationBootstrap {
  private readonly logger = new Logger('LogDigests');
  private key: AuditSigningKey | null | undefined;
  private tree: TreeState | null = null;
  private serial: Promise<unknown> = Promise.resolve();
  /** Log position of the last LogDigestSigned this process appended (the schedule skips an unchanged log). */
  lastRecordedPosition: number | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Loads (or in embedded mode makes) the key and prints its public half, so it can be kept outside. */
  onApplicationBootstrap(): void {
    const key = this.signingKey();
    if (!key) {
      this.logger.warn(
        '未配置 AUDIT_SIGNING_KEY_FILE：不签发日志摘要 (no audit signing key; log digests are off)',
      );
      return;
    }
    this.logger.log(
      `${key.generated ? '已生成' : '已加载'}日志摘要签名密钥 (Ed25519) ${key.file}; keyId ${key.keyId}; 公钥:\n` +
        describeKey(key.publicKey).publicKey,
    );
  }

  /** The public key digests are signed with, or null when none is configured. */
  publicKey(): LogDigestKey | null {
    const key = this.signingKey();
    return key ? describeKey(key.publicKey) : null;
  }

  /** The signed digest of the log as it is now, without recording it. */
  compute(trigger: LogDigestTrigger, digestId: string = randomUUID()): Promise<LogDigestDocument> {
    return this.serially(() => this.computeNow(trigger, digestId));
  }

  /**
   * Computes, signs and appends a digest as `LogDigestSigned` on `logdigest-<digestId>`. Recording the
   * same digest id again appends nothing and returns the first document.
   */
  record(
    trigger: LogDigestTrigger,
    context: CommandContext,
    digestId: string = randomUUID(),
  ): Promise<RecordedDigest> {
    return this.serially(async () => {
      const existing = await this.events.readStream(logDigestStream(digestId));
      if (existing.length > 0)
        return {
          document: existing[0]!.data as unknown as LogDigestDocument,
          position: existing[0]!.position,
          replayed: true,
        };
      const document = await this.computeNow(trigger, digestId);
      const result = await handleCommand(
        this.events,
        logDigestStream(digestId),
        logDigestDecider,
        { type: 'RecordLogDigest', document },
        context,
      );
      if (result.events.length === 0) {
        // Recorded meanwhile by another process: answer with what the log holds.
        const stored = await this.events.readStream(logDigestStream(digestId));
        return {
          document: stored[0]!.data as unknown as LogDigestDocument,
          position: stored[0]!.position,
          replayed: true,
        };
      }
      this.lastRecordedPosition = result.position;
      return {
        document,
        position: result.position,
        replayed: result.replayed,
      };
    });
  }

  private signingKey(): AuditSigningKey | null {
    if (this.key === undefined)
      this.key = loadSigningKey({
        file: this.config.audit.signingKeyFile,
        mode: this.config.mode,
        dataDir: this.config.dataDir,
      });
    return this.key;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.serial.then(work, work);
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async computeNow(trigger: LogDigestTrigger, digestId: string): Promise<LogDigestDocument> {
    const key = this.signingKey();
    if (!key) throw signingKeyNotConfigured();
    const tree = await this.advance(key);
    return signDigest(
      {
        format: LOG_DIGEST_FORMAT,
        digestId,
        merkle: LOG_DIGEST_MERKLE,
        hashAlgorithm: tree.frontier.algorithm,
        eventCount: tree.frontier.size,
        firstPosition: tree.firstPosition,
        lastPosition: tree.lastPosition,
        lastEventId: tree.lastEventId,
        root: tree.frontier.root(),
        peaks: tree.frontier.frontier(),
        trigger,
        signedAt: this.clock().toISOString(),
        key: describeKey(key.publicKey),
      },
      key.privateKey,
    );
  }

  /** Brings the cached tree to the head of the log. On a failure the cache is dropped, not half-advanced. */
  private async advance(key: AuditSigningKey): Promise<TreeState> {
    const tree = this.tree ?? (await this.resume(key));
    this.tree = null;
    for await (const event of readAllPages(this.events, {
      after: tree.lastPosition ?? undefined,
      upcast: false,
      pageSize: 2000,
    })) {
      const { hash, ...metadata } = event.metadata;
      let recomputed: string | null;
      try {
        recomputed = computeEventHash({ ...event, metadata }, metadata.hashAlgorithm ?? 'sha256');
      } catch {
        recomputed = null;
      }
      if (recomputed !== hash)
        throw logNotIntact({ position: event.position, streamId: event.streamId, eventId: event.id });
      tree.frontier.appendEvent({
        eventId: event.id,
        hash,
        position: event.position,
        revision: event.revision,
        streamId: event.streamId,
      });
      tree.firstPosition ??= event.position;
      tree.lastPosition = event.position;
      tree.lastEventId = event.id;
    }
    this.tree = tree;
    return { ...tree, frontier: tree.frontier.clone() };
  }

  /** The peaks of the last digest in the log signed with this key and algorithm, or an empty tree. */
  private async resume(key: AuditSigningKey): Promise<TreeState> {
    const algorithm = this.config.hashAlgorithm;
    let latest: LogDigestDocument | null = null;
    for await (const event of readAllPages(this.events, {
      filter: { eventTypes: ['LogDigestSigned'] },
      upcast: false,
    })) {
      const document = event.data as unknown as LogDigestDocument;
      if (
        document.hashAlgorithm === algorithm &&
        document.key?.keyId === key.keyId &&
        (latest === null || document.eventCount > latest.eventCount) &&
        checkSignature(document, key.publicKey).valid
      )
        latest = document;
    }
    if (latest && latest.eventCount > 0) {
      const frontier = new MerkleFrontier(algorithm, latest.peaks);
      if (frontier.root() === latest.root)
        return {
          frontier,
          firstPosition: latest.firstPosition,
          lastPosition: latest.lastPosition,
          lastEventId: latest.lastEventId,
        };
    }
    return {
      frontier: new MerkleFrontier(algorithm),
      firstPosition: null,
      lastPosition: null,
      lastEventId: null,
    };
  }
}
