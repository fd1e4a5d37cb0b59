import type { Decider } from '@dukao/event-store';
import { invalidLogDigest } from './log-digest.errors';
import {
  LOG_DIGEST_FORMAT,
  LOG_DIGEST_MERKLE,
  type LogDigestDocument,
  type LogDigestEvent,
} from './log-digest.events';

export type RecordLogDigest = { type: 'RecordLogDigest'; document: LogDigestDocument };
export type LogDigestCommand = RecordLogDigest;

export type LogDigestState =
  { status: 'none' } | { status: 'recorded'; digestId: string; root: string; eventCount: number };

const HEX = /^[0-9a-f]{64}$/;

/**
 * One stream per digest (`logdigest-<digestId>`): a digest is recorded once; asking again for the same
 * id records nothing (the publication reactor may see its event twice). A document that does not hold
 * together (peaks that do not add up to the count, a root that is not a digest) is refused: the
 * signature and the root are checked by whoever made it, the shape here.
 */
export const logDigestDecider: Decider<LogDigestCommand, LogDigestState, LogDigestEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_state, event) => ({
    status: 'recorded',
    digestId: event.data.digestId,
    root: event.data.root,
    eventCount: event.data.eventCount,
  }),
  decide: (command, state) => {
    switch (command.type) {
      case 'RecordLogDigest': {
        if (state.status === 'recorded') return [];
        const d = command.document;
        if (d.format !== LOG_DIGEST_FORMAT || d.merkle !== LOG_DIGEST_MERKLE)
          throw invalidLogDigest('未知的格式');
        if (!Number.isSafeInteger(d.eventCount) || d.eventCount < 0) throw invalidLogDigest('事件数无效');
        if (!HEX.test(d.root) || d.peaks.some((p) => !HEX.test(p.hash)))
          throw invalidLogDigest('根哈希格式错误');
        if (d.peaks.reduce((sum, p) => sum + p.size, 0) !== d.eventCount)
          throw invalidLogDigest('各子树大小之和与事件数不符');
        if ((d.eventCount === 0) !== (d.lastPosition === null)) throw invalidLogDigest('末位置与事件数不符');
        if (!d.signature) throw invalidLogDigest('缺少签名');
        return [{ type: 'LogDigestSigned', data: d }];
      }
      default: {
        const _exhaustive: never = command.type;
        return _exhaustive;
      }
    }
  },
};
