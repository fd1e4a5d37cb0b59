import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, SqliteEventStore, type StoredEvent } from '@dukao/event-store';
import type { ProjectionEngine } from '@dukao/projections';
import type { ReadModelDocument, ReadModelStore } from '@dukao/read-model-store';
import {
  SUPERVISION_NOTICES,
  type SupervisionNoticeView,
  supervisionNoticesProjection,
} from '@dukao/supervision';
import { projectionSpec, reminderItem, storedEvent } from '@dukao/testing';
import type { JobInfo, JobPayload } from '../job-queue.port';
import { SqliteJobQueue } from '../sqlite.job-queue';
import { OutboxSmsGateway } from './outbox.sms-gateway';
import { REMINDER_JOB, ReminderPlanner, type ReminderJobPayload } from './reminder-planner.reactor';
import {
  digestTemplateParams,
  NoRecipientError,
  SendReminderProcessor,
  SMS_JOB,
} from './send-reminder.processor';
import { SMS_BY_TARGET, type SmsSent, smsMessagesProjection } from './sms.events';
import { SmsLedger } from './sms-ledger';

/**
 * Supervision cases (督查督办) through the target reminders' machinery: the planner's `planCase` makes
 * the queue match a case's plan as it moves (opened, answered, returned, extended, escalated, closed),
 * and the sender delivers a case's items like a target's: to the unit's people by duty or to the named
 * tracker, merged into one person's digest, recorded in `SmsSent`.
 */

const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();
const NOTICE = 'n-1';
const on = { streamId: `supervision-${NOTICE}` };
const base = { noticeId: NOTICE, unitId: 'town-a' };

// The case's events, made in its order (the projection skips an event older than its document).
const issued = storedEvent(
  'SupervisionNoticeIssued',
  {
    ...base,
    cycleId: '2026',
    kind: 'notice',
    title: '重点项目开工滞后',
    demand: '完成开工',
    targets: [],
    matter: { source: 'inspectionFinding', description: '实地督查发现' },
    round: 1,
    deadline: '2026-07-10',
    deadlineAt: sh('2026-07-11 00:00'),
    issuedAt: sh('2026-07-01 10:00'),
  },
  on,
);
const reported = storedEvent(
  'RectificationReported',
  {
    ...base,
    round: 1,
    rectificationId: 'r-1',
    narrative: '已开工',
    evidence: [],
    late: false,
    reportedAt: sh('2026-07-08 10:00'),
  },
  on,
);
const returned = storedEvent(
  'RectificationReturned',
  { ...base, round: 1, rectificationId: 'r-1', reason: '佐证不足', returnedAt: sh('2026-07-12 10:00') },
  on,
);
const escalated = storedEvent(
  'SupervisionEscalated',
  {
    ...base,
    round: 2,
    previousRound: 1,
    reason: 'returned',
    tracker: 'u-tracker',
    demand: '限期开工',
    deadline: '2026-07-20',
    deadlineAt: sh('2026-07-21 00:00'),
    escalatedAt: sh('2026-07-12 23:00'),
  },
  on,
);
const extended = storedEvent(
  'ExtensionApproved',
  {
    ...base,
    round: 2,
    extensionId: 'x-1',
    previousDeadline: '2026-07-20',
    deadline: '2026-07-24',
    deadlineAt: sh('2026-07-25 00:00'),
    approvedAt: sh('2026-07-14 10:00'),
  },
  on,
);
const reported2 = storedEvent(
  'RectificationReported',
  {
    ...base,
    round: 2,
    rectificationId: 'r-2',
    narrative: '已开工，附现场照片',
    evidence: [],
    late: false,
    reportedAt: sh('2026-07-16 10:00'),
  },
  on,
);
const closed = storedEvent(
  'SupervisionClosed',
  { ...base, round: 2, rectificationId: 'r-2', comment: '同意办结', closedAt: sh('2026-07-17 10:00') },
  on,
);

/** The people of Town A by duty, and the tracker, as the views hold them. */
const PEOPLE: Record<string, { duty: string | null; phone: string | null; status?: string }> = {
  'u-reporter': { duty: 'reporter', phone: '13800000001' },
  'u-leader': { duty: 'leaderInCharge', phone: '13800000002' },
  'u-principal': { duty: 'principalLeader', phone: '13800000003' },
  'u-tracker': { duty: null, phone: '13900000009' },
};

/** A read-model store in memory with what the planner and the sender read; `find` knows memberships only. */
class FakeViews {
  readonly docs = new Map<string, ReadModelDocument>();
  constructor(people = PEOPLE) {
    this.put('units', { _id: 'town-a', name: '甲镇' });
    for (const [id, p] of Object.entries(people))
      this.put('users', { _id: id, displayName: id, phone: p.phone, status: p.status ?? 'active' });
    this.people = people;
  }
  private readonly people: typeof PEOPLE;
  put(collection: string, doc: ReadModelDocument) {
    this.docs.set(`${collection}/${doc._id}`, doc);
  }
  /** The case's document after `events`. */
  caseAfter(...events: StoredEvent[]) {
    const doc = projectionSpec(supervisionNoticesProjection)
      .given(...events)
      .document(SUPERVISION_NOTICES, NOTICE) as SupervisionNoticeView;
    this.put(SUPERVISION_NOTICES, doc);
  }
  async get(collection: string, id: string) {
    return this.docs.get(`${collection}/${id}`) ?? null;
  }
  async find(collection: string, filter: { unitId?: string; duty?: string }) {
    if (collection !== 'unitMemberships') return [];
    return Object.entries(this.people)
      .filter(([, p]) => filter.unitId === 'town-a' && p.duty === filter.duty)
      .map(([userId, p]) => ({
        _id: `m-${userId}`,
        userId,
        unitId: 'town-a',
        duty: p.duty,
        effectiveFrom: sh('2026-01-01 00:00'),
        effectiveUntil: null,
      }));
  }
}

describe('ReminderPlanner.planCase', () => {
  let now: string;
  let queue: SqliteJobQueue;
  let views: FakeViews;
  let planner: ReminderPlanner;
  const clock = () => new Date(now);
  const pending = async () =>
    (await queue.list({ state: 'pending', limit: 1000 }))
      .filter((j) => j.name === REMINDER_JOB)
      .map((j: JobInfo) => [j.jobKey, j.runAt]);

  beforeEach(() => {
    now = sh('2026-07-01 10:00');
    queue = new SqliteJobQueue({ filename: ':memory:', now: clock, poll: false });
    views = new FakeViews();
    planner = new ReminderPlanner(
      {} as ProjectionEngine,
      {} as EventStore,
      views as unknown as ReadModelStore,
      queue,
      clock,
    );
  });
  afterEach(async () => {
    await queue.close();
  });

  it('a case opened: its round’s three tiers are scheduled under their keys, with the cycle', async () => {
    views.caseAfter(issued);
    const planned = await planner.planCase(NOTICE);
    expect(await pending()).toEqual([
      ['reminder-case_reporter_n-1_r1_t1_2026-07-10_b3', sh('2026-07-07 09:00')],
      ['reminder-case_reporter_n-1_r1_t1_2026-07-10_b1', sh('2026-07-09 09:00')],
      ['reminder-case_leaderInCharge_n-1_r1_t2_2026-07-10', sh('2026-07-11 09:00')],
      ['reminder-case_principalLeader_n-1_r1_t3_2026-07-10', sh('2026-07-13 09:00')],
    ]);
    expect(planned).toHaveLength(4);
    expect((await queue.get(planned[0]!.jobKey))!.payload).toMatchObject({
      cycleId: '2026',
      reminderKey: planned[0]!.jobKey,
      unitName: '甲镇',
      targetId: null,
      subject: {
        kind: 'supervision',
        noticeId: NOTICE,
        round: 1,
        title: '重点项目开工滞后',
        document: 'notice',
      },
    });
    // Planning again changes nothing.
    await planner.planCase(NOTICE);
    expect(await pending()).toHaveLength(4);
  });

  it('a rectification reported cancels the pending jobs; a return after the deadline revives tier 2 at once', async () => {
    views.caseAfter(issued);
    await planner.planCase(NOTICE);
    now = sh('2026-07-08 10:00');
    views.caseAfter(issued, reported);
    await planner.planCase(NOTICE);
    expect(await pending()).toEqual([]);
    now = sh('2026-07-12 10:00');
    views.caseAfter(issued, reported, returned);
    await planner.planCase(NOTICE);
    expect(await pending()).toEqual([
      ['reminder-case_leaderInCharge_n-1_r1_t2_2026-07-10', sh('2026-07-12 10:00')],
      ['reminder-case_principalLeader_n-1_r1_t3_2026-07-10', sh('2026-07-13 09:00')],
    ]);
  });

  it('二次督办 replaces round 1’s jobs; the leader in charge and the tracker are told at 08:00 (opened at 23:00)', async () => {
    now = sh('2026-07-12 10:00');
    views.caseAfter(issued, reported, returned);
    await planner.planCase(NOTICE);
    now = sh('2026-07-12 23:00');
    views.caseAfter(issued, reported, returned, escalated);
    await planner.planCase(NOTICE);
    expect(await pending()).toEqual([
      ['reminder-case_leaderInCharge_n-1_r2_opened', sh('2026-07-13 08:00')],
      ['reminder-case_tracker_n-1_r2_opened', sh('2026-07-13 08:00')],
      ['reminder-case_reporter_n-1_r2_t1_2026-07-20_b3', sh('2026-07-17 09:00')],
      ['reminder-case_reporter_n-1_r2_t1_2026-07-20_b1', sh('2026-07-19 09:00')],
      ['reminder-case_leaderInCharge_n-1_r2_t2_2026-07-20', sh('2026-07-21 09:00')],
      ['reminder-case_tracker_n-1_r2_t2_2026-07-20', sh('2026-07-21 09:00')],
      ['reminder-case_principalLeader_n-1_r2_t3_2026-07-20', sh('2026-07-23 09:00')],
    ]);
    expect((await queue.get('reminder-case_tracker_n-1_r2_opened'))!.payload).toMatchObject({
      duty: 'tracker',
      userId: 'u-tracker',
      reason: 'escalated',
    });
  });

  it('a tracker without a phone gets no reminder; the leader in charge still does', async () => {
    views = new FakeViews({ ...PEOPLE, 'u-tracker': { duty: null, phone: null } });
    planner = new ReminderPlanner(
      {} as ProjectionEngine,
      {} as EventStore,
      views as unknown as ReadModelStore,
      queue,
      clock,
    );
    now = sh('2026-07-12 23:00');
    views.caseAfter(issued, reported, returned, escalated);
    const planned = await planner.planCase(NOTICE);
    expect(planned.some((j) => j.duty === 'tracker')).toBe(false);
    expect(planned.filter((j) => j.reason === 'escalated').map((j) => j.duty)).toEqual(['leaderInCharge']);
  });

  it('an approved extension moves the pending jobs to the new deadline; the opening notice keeps its key', async () => {
    now = sh('2026-07-12 23:00');
    views.caseAfter(issued, reported, returned, escalated);
    await planner.planCase(NOTICE);
    now = sh('2026-07-14 10:00');
    views.caseAfter(issued, reported, returned, escalated, extended);
    await planner.planCase(NOTICE);
    expect((await pending()).map(([key]) => key)).toEqual([
      'reminder-case_leaderInCharge_n-1_r2_opened',
      'reminder-case_tracker_n-1_r2_opened',
      'reminder-case_reporter_n-1_r2_t1_2026-07-24_b3',
      'reminder-case_reporter_n-1_r2_t1_2026-07-24_b1',
      'reminder-case_leaderInCharge_n-1_r2_t2_2026-07-24',
      'reminder-case_tracker_n-1_r2_t2_2026-07-24',
      'reminder-case_principalLeader_n-1_r2_t3_2026-07-24',
    ]);
    // The opening notices were due on the 13th: caught up now, as a planner that was down would.
    expect(await queue.get('reminder-case_leaderInCharge_n-1_r2_opened')).toMatchObject({ runAt: now });
  });

  it('the case closed cancels what is left; a target’s pending reminders are not touched', async () => {
    const target = reminderItem(1, { sendAt: sh('2026-07-21 09:00') });
    await queue.schedule({
      jobKey: target.jobKey,
      name: REMINDER_JOB,
      runAt: target.sendAt,
      payload: target as unknown as JobPayload,
    });
    now = sh('2026-07-14 10:00');
    views.caseAfter(issued, reported, returned, escalated, extended);
    await planner.planCase(NOTICE);
    now = sh('2026-07-17 10:00');
    views.caseAfter(issued, reported, returned, escalated, extended, reported2, closed);
    await planner.planCase(NOTICE);
    expect(await pending()).toEqual([[target.jobKey, target.sendAt]]);
  });

  it('reacts to a case’s events by planning the case', async () => {
    views.caseAfter(issued);
    await (planner as unknown as { handle(e: StoredEvent): Promise<void> }).handle(issued);
    expect(await pending()).toHaveLength(4);
  });
});

describe('SendReminderProcessor with a case’s reminders', () => {
  let now: string;
  let dir: string;
  let queue: SqliteJobQueue;
  let outbox: OutboxSmsGateway;
  let ledger: SmsLedger;
  let events: SqliteEventStore;
  let processor: SendReminderProcessor;
  let views: FakeViews;
  const clock = () => new Date(now);
  const caseJob = (over: Partial<ReminderJobPayload>): ReminderJobPayload => ({
    jobKey: 'reminder-case_reporter_n-1_r1_t1_2026-07-10_b3',
    reminderKey: 'reminder-case_reporter_n-1_r1_t1_2026-07-10_b3',
    tier: 1,
    duty: 'reporter',
    unitId: 'town-a',
    unitName: '甲镇',
    targetId: null,
    targetTitle: null,
    subject: {
      kind: 'supervision',
      noticeId: NOTICE,
      round: 1,
      title: '重点项目开工滞后',
      document: 'notice',
    },
    period: null,
    dueDate: '2026-07-10',
    sendAt: sh('2026-07-07 09:00'),
    reason: 'dueSoon',
    cycleId: '2026',
    ...over,
  });
  const run = (payload: ReminderJobPayload) =>
    processor.handle({
      jobKey: payload.jobKey,
      name: REMINDER_JOB,
      runAt: now,
      payload: payload as unknown as JobPayload,
      attempt: 1,
    });
  const sendDue = async () => {
    const results = [];
    for (const j of await queue.list({ state: 'pending' }))
      if (j.name === SMS_JOB && j.runAt <= now) {
        await queue.cancel(j.jobKey);
        results.push(
          await processor.send({
            jobKey: j.jobKey,
            name: SMS_JOB,
            runAt: j.runAt,
            payload: j.payload,
            attempt: 1,
          }),
        );
      }
    return results;
  };

  beforeEach(() => {
    now = sh('2026-07-07 09:00');
    dir = mkdtempSync(join(tmpdir(), 'dukao-case-sms-'));
    queue = new SqliteJobQueue({ filename: ':memory:', now: clock, poll: false });
    outbox = new OutboxSmsGateway(':memory:', clock);
    ledger = new SmsLedger(':memory:');
    events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    views = new FakeViews();
    processor = new SendReminderProcessor(
      queue,
      outbox,
      views as unknown as ReadModelStore,
      clock,
      ledger,
      events,
      60_000,
      'outbox',
    );
  });
  afterEach(async () => {
    await queue.close();
    outbox.close();
    ledger.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges a case’s tier 1 with a target’s due to the same reporter into one SMS; the log names the case', async () => {
    const target = reminderItem(1, {
      jobKey: 'reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3',
      reminderKey: 'reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3',
      sendAt: sh('2026-07-07 09:00'),
    });
    const first = await run(caseJob({}));
    expect(await run(target)).toMatchObject({ outcome: 'joined', digestKey: first.digestKey });
    now = sh('2026-07-07 09:01');
    expect(await sendDue()).toEqual([{ outcome: 'sent', at: now }]);
    const [sms] = await outbox.list();
    expect(sms).toMatchObject({ key: first.digestKey, to: '13800000001' });
    expect(sms!.text).toBe(
      '【督考】您好，以下事项请及时办理：1. 甲镇“GDP增速”2026年第二季度进度应于7月10日前报送；2. 甲镇督查通知《重点项目开工滞后》整改反馈将于7月10日到期。',
    );
    const logged = (await events.readAll()).map((e) => e as unknown as StoredEvent & SmsSent);
    expect(logged.map((e) => e.type)).toEqual(['SmsSent']);
    expect(logged[0]!.data.items).toEqual([
      expect.objectContaining({
        reminderKey: caseJob({}).reminderKey,
        targetId: null,
        noticeId: NOTICE,
        round: 1,
      }),
      expect.objectContaining({
        reminderKey: target.reminderKey,
        targetId: 'T1',
        noticeId: null,
        round: null,
      }),
    ]);
    // The per-target index lists the target's message, not a null target for the case's item.
    const changes = smsMessagesProjection.changes(logged[0]!);
    expect(changes.filter((c) => c.collection === SMS_BY_TARGET).map((c) => c.id)).toEqual([
      `T1~${first.digestKey}`,
    ]);
    // Sent once: the item again is already sent.
    expect(await run(caseJob({}))).toMatchObject({ outcome: 'alreadySent' });
  });

  it('sends the tracker’s reminder to the tracker’s own phone', async () => {
    now = sh('2026-07-13 08:00');
    const opened = caseJob({
      jobKey: 'reminder-case_tracker_n-1_r2_opened',
      reminderKey: 'reminder-case_tracker_n-1_r2_opened',
      tier: 2,
      duty: 'tracker',
      userId: 'u-tracker',
      subject: {
        kind: 'supervision',
        noticeId: NOTICE,
        round: 2,
        title: '重点项目开工滞后',
        document: 'notice',
      },
      dueDate: '2026-07-20',
      sendAt: now,
      reason: 'escalated',
    });
    await run(opened);
    now = sh('2026-07-13 08:01');
    await sendDue();
    expect((await outbox.list()).map((m) => [m.to, m.text])).toEqual([
      [
        '13900000009',
        '【督考】您好，以下事项请及时办理：1. 甲镇督查通知《重点项目开工滞后》已转二次督办，由您专人跟踪，整改反馈须于7月20日前报送。',
      ],
    ]);
  });

  it('a tracker who lost their phone or account fails the job with a clear error', async () => {
    views.put('users', { _id: 'u-tracker', displayName: '跟踪人', phone: null, status: 'active' });
    const tracker = caseJob({ duty: 'tracker', userId: 'u-tracker', reason: 'escalated' });
    await expect(run(tracker)).rejects.toThrow(NoRecipientError);
    await expect(run(tracker)).rejects.toThrow('has no phone number');
    views.put('users', { _id: 'u-tracker', displayName: '跟踪人', phone: '13900000009', status: 'disabled' });
    await expect(run(tracker)).rejects.toThrow('is not an active user');
  });

  it('gives the Aliyun template the case’s unit and title, within a variable’s 35 characters', () => {
    expect(digestTemplateParams({ items: [caseJob({})], text: null })).toEqual({
      count: '1',
      first: '甲镇《重点项目开工滞后》',
      text: '',
    });
    const long = caseJob({
      subject: {
        kind: 'supervision',
        noticeId: NOTICE,
        round: 1,
        title: '很'.repeat(50),
        document: 'notice',
      },
    });
    expect(digestTemplateParams({ items: [long], text: null }).first).toHaveLength(35);
  });
});
