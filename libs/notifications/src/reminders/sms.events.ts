import { deriveEventId, type EventStore, type NewEvent, type StoredEvent } from '@dukao/event-store';
import { SYSTEM_ACTOR } from '@dukao/kernel';
import { documentProjection, type Projection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { ReminderJobPayload } from './reminder-planner.reactor';
import type { SmsReceipt } from './sms.port';

/**
 * What became of each SMS, in the log: so that "the leader in charge was notified on 11 July" is
 * provable to an appeal reviewer or an inspector, not only a line in a queue that Redis may drop.
 * One stream per message, `sms-<message key>`; event ids derive from the key and what happened, so
 * a retried send or a receipt the provider pushes twice appends nothing twice.
 */
export const SMS_STREAM_PREFIX = 'sms-';
export const smsStreamId = (messageKey: string) => `${SMS_STREAM_PREFIX}${messageKey}`;

/**
 * A reminder item as the log keeps it: what it was about, not the whole job. A supervision case's
 * item has `noticeId` and `round` and no target (`targetId` null); items logged before cases had
 * reminders have neither field.
 */
export interface SmsItemData {
  [key: string]: string | number | null;
  reminderKey: string;
  targetId: string | null;
  noticeId: string | null;
  round: number | null;
  unitId: string;
  duty: string;
  tier: number;
  reason: string;
  period: string | null;
  milestoneId: string | null;
  dueDate: string;
}

interface SmsMessageData {
  [key: string]: string | SmsItemData[];
  messageKey: string;
  userId: string;
  /** Masked (138****0002): the log is kept for years and copied into audits; the full number stays in the ledger. */
  phone: string;
  gateway: string;
  items: SmsItemData[];
}

export type SmsSent = NewEvent<
  'SmsSent',
  SmsMessageData & { text: string; providerId: string; sentAt: string }
>;
export type SmsRejected = NewEvent<'SmsRejected', SmsMessageData & { error: string; at: string }>;
export type SmsDelivered = NewEvent<
  'SmsDelivered',
  { messageKey: string; providerId: string | null; deliveredAt: string }
>;
export type SmsDeliveryFailed = NewEvent<
  'SmsDeliveryFailed',
  { messageKey: string; providerId: string | null; error: string; at: string }
>;
export type SmsEvent = SmsSent | SmsRejected | SmsDelivered | SmsDeliveryFailed;
export const SMS_EVENT_TYPES = ['SmsSent', 'SmsRejected', 'SmsDelivered', 'SmsDeliveryFailed'] as const;

export const maskPhone = (phone: string) =>
  phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';

export const smsItemOf = (item: ReminderJobPayload): SmsItemData => ({
  reminderKey: item.reminderKey,
  targetId: item.targetId,
  noticeId: item.subject.kind === 'supervision' ? item.subject.noticeId : null,
  round: item.subject.kind === 'supervision' ? item.subject.round : null,
  unitId: item.unitId,
  duty: item.duty,
  tier: item.tier,
  reason: item.reason,
  period: item.period,
  milestoneId: item.subject.kind === 'milestone' ? item.subject.milestoneId : null,
  dueDate: item.dueDate,
});

/**
 * Appends one SMS event, idempotently: the id derives from the message key and `what`, so the same
 * fact appended twice (a retry, a receipt pushed again) is stored once.
 */
export async function recordSmsEvent(
  events: EventStore,
  what: string,
  event: Omit<SmsEvent, 'id' | 'metadata'>,
  context: { correlationId: string; occurredAt: string },
): Promise<void> {
  const messageKey = event.data.messageKey;
  await events.append(
    smsStreamId(messageKey),
    [
      {
        ...event,
        id: deriveEventId(`${smsStreamId(messageKey)}\u0000${what}`, 0),
        metadata: {
          actor: SYSTEM_ACTOR,
          correlationId: context.correlationId,
          occurredAt: context.occurredAt,
        },
      },
    ],
    { expectedRevision: 'any' },
  );
}

export const SMS_MESSAGES = 'smsMessages';

export type DeliveryStatus = 'sent' | 'delivered' | 'deliveryFailed' | 'rejected';

/** One SMS as sent (or refused) and its delivery, for "who was told what, when". */
export interface SmsMessageView extends ReadModelDocument {
  userId: string;
  phone: string;
  gateway: string;
  text: string | null;
  items: SmsItemData[];
  status: DeliveryStatus;
  providerId: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  error: string | null;
}

/** One row per (target, message), written once when the message is sent or refused: "what was each target's unit told". */
export const SMS_BY_TARGET = 'smsMessagesByTarget';
export interface SmsByTargetView extends ReadModelDocument {
  targetId: string;
  messageKey: string;
  userId: string;
  at: string;
}

const messages = documentProjection<SmsMessageView>({
  name: 'smsMessages',
  version: 1,
  eventTypes: SMS_EVENT_TYPES,
  collection: {
    name: SMS_MESSAGES,
    indexes: [{ fields: { userId: 1, sentAt: 1 } }, { fields: { status: 1, sentAt: 1 } }],
  },
  documentId: (event) => (event as unknown as StoredEvent<string, { messageKey: string }>).data.messageKey,
  evolve(message, stored: StoredEvent) {
    const event = stored as unknown as SmsEvent;
    switch (event.type) {
      case 'SmsSent':
      case 'SmsRejected': {
        const { messageKey, userId, phone, gateway, items } = event.data;
        const sent = event.type === 'SmsSent';
        return {
          _id: messageKey,
          userId,
          phone,
          gateway,
          text: sent ? event.data.text : null,
          items,
          // A receipt may arrive before the send is recorded (a crash between the two): keep it.
          status: sent ? (message?.status === 'sent' || !message ? 'sent' : message.status) : 'rejected',
          providerId: sent ? event.data.providerId : null,
          sentAt: sent ? event.data.sentAt : null,
          deliveredAt: message?.deliveredAt ?? null,
          error: sent ? (message?.error ?? null) : event.data.error,
        };
      }
      case 'SmsDelivered':
      case 'SmsDeliveryFailed': {
        const base: SmsMessageView = message ?? {
          _id: event.data.messageKey,
          userId: '',
          phone: '',
          gateway: '',
          text: null,
          items: [],
          status: 'sent',
          providerId: event.data.providerId,
          sentAt: null,
          deliveredAt: null,
          error: null,
        };
        // A failure after a delivery (a provider's late correction) does not undo the delivery.
        if (event.type === 'SmsDelivered')
          return { ...base, status: 'delivered', deliveredAt: event.data.deliveredAt, error: null };
        return base.status === 'delivered'
          ? base
          : { ...base, status: 'deliveryFailed', error: event.data.error };
      }
    }
  },
});

/** The `smsMessages` view, and beside it the per-target index (a target's messages by `targetId`). */
export const smsMessagesProjection: Projection = {
  ...messages,
  collections: [
    ...messages.collections,
    { name: SMS_BY_TARGET, indexes: [{ fields: { targetId: 1, at: 1 } }] },
  ],
  changes(event) {
    const changes = [...messages.changes(event)];
    if (event.type === 'SmsSent' || event.type === 'SmsRejected') {
      const { messageKey, userId, items } = (event as unknown as SmsSent | SmsRejected).data;
      const at =
        event.type === 'SmsSent'
          ? (event as unknown as SmsSent).data.sentAt
          : (event as unknown as SmsRejected).data.at;
      // A case's item has no target (`targetId` null): it is not in the per-target index.
      for (const targetId of new Set(items.flatMap((i) => (i.targetId ? [i.targetId] : []))))
        changes.push({
          collection: SMS_BY_TARGET,
          id: `${targetId}~${messageKey}`,
          evolve: (): SmsByTargetView => ({
            _id: `${targetId}~${messageKey}`,
            targetId,
            messageKey,
            userId,
            at,
          }),
        });
    }
    return changes;
  },
};

/**
 * Records delivery receipts as events on the message's stream, whichever process receives them (the
 * api, in production): a receipt for a key the log has no send or refusal for is not ours (or not yet
 * recorded) and is skipped; a receipt pushed again appends nothing (its event id derives from the
 * key, the outcome and the instant).
 */
export async function recordSmsReceipts(
  events: EventStore,
  receipts: readonly SmsReceipt[],
  correlationId: string,
): Promise<{ recorded: number; unknown: number }> {
  let recorded = 0;
  let unknown = 0;
  for (const receipt of receipts) {
    const stream = await events.readStream(smsStreamId(receipt.key));
    if (!stream.some((e) => e.type === 'SmsSent' || e.type === 'SmsRejected')) {
      unknown += 1;
      continue;
    }
    const what = `receipt\u0000${receipt.delivered ? 'delivered' : 'failed'}\u0000${receipt.at}`;
    await recordSmsEvent(
      events,
      what,
      receipt.delivered
        ? {
            type: 'SmsDelivered',
            data: { messageKey: receipt.key, providerId: receipt.providerId, deliveredAt: receipt.at },
          }
        : {
            type: 'SmsDeliveryFailed',
            data: {
              messageKey: receipt.key,
              providerId: receipt.providerId,
              error: receipt.error ?? '未送达',
              at: receipt.at,
            },
          },
      { correlationId, occurredAt: receipt.at },
    );
    recorded += 1;
  }
  return { recorded, unknown };
}
