import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandContext,
  type EventStore,
  SqliteEventStore,
  WrongExpectedRevisionError,
  handleCommand,
} from '@dukao/event-store';
import { campaignDecider } from '../domain/campaign.decider';
import { campaignStream } from '../domain/campaign.events';
import { at, definition, scores } from '../domain/fixtures.spec-helpers';
import { publicRatingStream } from '../domain/public-rating.events';
import {
  CreateCampaignHandler,
  CreateCampaign,
  OpenCampaign,
  OpenCampaignHandler,
} from './campaign.commands';
import {
  IssueRatingTokens,
  IssueRatingTokensHandler,
  type PublicRatingOutcome,
  SubmitPublicRating,
  SubmitPublicRatingHandler,
} from './public-rating.commands';

/**
 * The public rating handler on a real SQLite event store: it decides on states kept between requests,
 * so these check that a kept state, stale or shared, never lets a token through twice.
 */
const CAMPAIGN = 'pingyi-2026';
const UNIT = 'bureau-a';
const STREAM = publicRatingStream(CAMPAIGN, UNIT);

const context = (commandId = randomUUID()): CommandContext => ({
  commandId,
  actor: { userId: 'anonymous', role: 'public', unitId: null },
  correlationId: randomUUID(),
});
const office = (): CommandContext => ({
  commandId: randomUUID(),
  actor: { userId: 'office', role: 'assessmentAdmin', unitId: null },
  correlationId: randomUUID(),
});

let dir: string;
let store: EventStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dukao-public-rating-'));
  store = new SqliteEventStore({ filename: join(dir, 'events.db'), durability: 'normal' });
  await new CreateCampaignHandler(store).execute(new CreateCampaign(definition(), office(), at));
  await new OpenCampaignHandler(store).execute(new OpenCampaign(CAMPAIGN, office(), at));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const issue = async (count: number) =>
  (
    await new IssueRatingTokensHandler(store).execute(
      new IssueRatingTokens(CAMPAIGN, UNIT, count, office(), at),
    )
  ).tokens;

const rate = (
  handler: SubmitPublicRatingHandler,
  token: string,
  options: { ip?: string; ctx?: CommandContext } = {},
): Promise<PublicRatingOutcome> =>
  handler.execute(
    new SubmitPublicRating(
      CAMPAIGN,
      UNIT,
      token,
      options.ip ?? '10.1.2.3',
      { kind: 'dimensions', scores: scores(80) },
      options.ctx ?? context(),
      at,
    ),
  );

const codeOf = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === 'rejected' ? (outcome.reason as { code?: string }).code : 'accepted';

const submittedTokens = async () =>
  (await store.readStream(STREAM))
    .filter((e) => e.type === 'PublicRatingSubmitted')
    .map((e) => e.data.tokenHash as string);

describe('one-time tokens under concurrency', () => {
  it('accepts exactly one of many concurrent ratings with the same token', async () => {
    const [token, other] = await issue(2);
    const handler = new SubmitPublicRatingHandler(store);
    await rate(handler, other!); // the handler now keeps the stream's state
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => rate(handler, token!)));
    expect(outcomes.map(codeOf).sort()).toEqual([
      'RATING_TOKEN_USED',
      ...Array.from({ length: 18 }, () => 'RATING_TOKEN_USED'),
      'accepted',
    ]);
    expect(await submittedTokens()).toHaveLength(2);
  });

  it('accepts many concurrent ratings of one unit, each with its own token', async () => {
    const tokens = await issue(60);
    // Count the appends the store refuses: queued one after another, none conflicts.
    let conflicts = 0;
    const counting: EventStore = Object.create(store) as EventStore;
    counting.append = (...args) =>
      store.append(...args).catch((error: unknown) => {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        throw error;
      });
    const handler = new SubmitPublicRatingHandler(counting);
    const outcomes = await Promise.allSettled(tokens.map((t, i) => rate(handler, t, { ip: `10.0.${i}.1` })));
    expect(outcomes.map(codeOf)).toEqual(tokens.map(() => 'accepted'));
    expect(new Set(await submittedTokens()).size).toBe(60);
    expect(conflicts).toBe(0);
  });

  it('accepts exactly one when two processes with their own kept states race on one token', async () => {
    const [token, a, b] = await issue(3);
    const first = new SubmitPublicRatingHandler(store);
    const second = new SubmitPublicRatingHandler(store);
    await rate(first, a!);
    await rate(second, b!);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => rate(i % 2 ? first : second, token!)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(outcomes.map(codeOf))).toEqual(new Set(['accepted', 'RATING_TOKEN_USED']));
    expect(await submittedTokens()).toHaveLength(3);
  });

  it('refuses a token used through another process, though its own kept state is stale', async () => {
    const [a, b, c] = await issue(3);
    const stale = new SubmitPublicRatingHandler(store);
    const other = new SubmitPublicRatingHandler(store);
    await rate(stale, a!);
    await rate(other, b!);
    await rate(other, c!);
    const before = await store.readStream(STREAM);
    await expect(rate(stale, b!)).rejects.toMatchObject({ code: 'RATING_TOKEN_USED' });
    await expect(rate(stale, a!)).rejects.toMatchObject({ code: 'RATING_TOKEN_USED' });
    expect(await store.readStream(STREAM)).toEqual(before);
  });

  it('accepts a token issued after its state was kept', async () => {
    const [a] = await issue(1);
    const handler = new SubmitPublicRatingHandler(store);
    await rate(handler, a!);
    const [fresh] = await issue(1);
    await expect(rate(handler, fresh!)).resolves.toMatchObject({ accepted: true });
  });

  it('gives a retried command its original outcome and appends nothing', async () => {
    const [a] = await issue(1);
    const handler = new SubmitPublicRatingHandler(store);
    const ctx = context();
    const first = await rate(handler, a!, { ctx });
    const again = await rate(new SubmitPublicRatingHandler(store), a!, { ctx });
    expect(again).toEqual(first);
    await expect(rate(handler, a!, { ctx })).resolves.toEqual(first);
    expect(await submittedTokens()).toHaveLength(1);
  });
});

describe('kept states', () => {
  it('refuses once the campaign is closed, though the unit’s state is kept', async () => {
    const [a, b] = await issue(2);
    const handler = new SubmitPublicRatingHandler(store);
    await rate(handler, a!);
    await handleCommand(
      store,
      campaignStream(CAMPAIGN),
      campaignDecider,
      { type: 'CloseCampaign', campaignId: CAMPAIGN, at, results: { units: [], reciprocalSignals: [] } },
      office(),
    );
    await expect(rate(handler, b!)).rejects.toMatchObject({ code: 'CAMPAIGN_CLOSED' });
  });

  it('flags the burst past the limit from one network as a fresh read would', async () => {
    const tokens = await issue(22);
    const handler = new SubmitPublicRatingHandler(store);
    for (const token of tokens) await rate(handler, token, { ip: '10.9.9.1' });
    const flags = (await store.readStream(STREAM)).filter((e) => e.type === 'PublicRatingBurstFlagged');
    expect(flags.map((e) => e.data.countInWindow)).toEqual([21, 22]);
  });
});
