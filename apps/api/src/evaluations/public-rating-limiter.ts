import { Inject, Injectable } from '@nestjs/common';
import { hashToken, networkHash } from '@dukao/evaluations';
import { CLOCK, type Clock } from '@dukao/kernel';
import { ApiError } from '../errors/api-error';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Hard limits on anonymous rating attempts, in this process's memory (a restart or a second api
 * instance starts afresh): per token (repeated tries of one link) and per network (the client's /24,
 * hashed; the raw address is never kept). Over a limit the caller gets 429: refused visibly, never
 * dropped silently. Below the network limit, a burst is accepted and flagged by the domain
 * (`PublicRatingBurstFlagged`) for the inspectors.
 */
@Injectable()
export class PublicRatingLimiter {
  /** Adjustable at runtime (tests, benchmarks); the defaults fit a city-wide public campaign. */
  readonly limits = {
    perTokenAttempts: 5,
    perTokenWindowMs: 10 * 60_000,
    perNetworkAttempts: 600,
    perNetworkWindowMs: 60_000,
  };
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** Counts one attempt; throws 429 when the token or the network is over its limit. */
  attempt(token: string, ip: string): void {
    const now = this.clock().getTime();
    if (this.windows.size > 200_000) this.prune(now);
    const { perTokenAttempts, perTokenWindowMs, perNetworkAttempts, perNetworkWindowMs } = this.limits;
    const network = this.count(`n:${networkHash('rate-limit', ip)}`, perNetworkWindowMs, now);
    if (network > perNetworkAttempts)
      throw new ApiError(429, 'RATING_RATE_LIMITED', '您所在网络提交评议过于频繁，请稍后再试', {
        retryAfterSeconds: Math.ceil(perNetworkWindowMs / 1000),
      });
    const tries = this.count(`t:${hashToken(token)}`, perTokenWindowMs, now);
    if (tries > perTokenAttempts)
      throw new ApiError(429, 'RATING_RATE_LIMITED', '该评议链接尝试次数过多，请稍后再试', {
        retryAfterSeconds: Math.ceil(perTokenWindowMs / 1000),
      });
  }

  private count(key: string, windowMs: number, now: number): number {
    const current = this.windows.get(key);
    if (!current || now - current.startedAt >= windowMs) {
      this.windows.set(key, { startedAt: now, count: 1 });
      return 1;
    }
    current.count += 1;
    return current.count;
  }

  private prune(now: number): void {
    const longest = Math.max(this.limits.perTokenWindowMs, this.limits.perNetworkWindowMs);
    for (const [key, window] of this.windows) if (now - window.startedAt >= longest) this.windows.delete(key);
  }
}
