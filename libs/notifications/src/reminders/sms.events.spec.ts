import { projectionSpec, storedEvent } from '@dukao/testing';
import { maskPhone, SMS_BY_TARGET, SMS_MESSAGES, smsMessagesProjection } from './sms.events';

const item = {
  reminderKey: 'reminder_leaderInCharge_T1_2026-Q2_t2_2026-07-10',
  targetId: 'T1',
  unitId: 'town-a',
  duty: 'leaderInCharge',
  tier: 2,
  reason: 'overdue',
  period: '2026-Q2',
  milestoneId: null,
  dueDate: '2026-07-10',
};
const facts = { messageKey: 'sms_k1', userId: 'u1', phone: '138****0002', gateway: 'http', items: [item] };
const sent = storedEvent(
  'SmsSent',
  { ...facts, text: '【督考】…', providerId: 'p-1', sentAt: '2026-07-11T01:01:00.000Z' },
  { streamId: 'sms-sms_k1', revision: 0 },
);
const delivered = storedEvent(
  'SmsDelivered',
  { messageKey: 'sms_k1', providerId: 'p-1', deliveredAt: '2026-07-11T01:01:05.000Z' },
  { streamId: 'sms-sms_k1', revision: 1 },
);
const failed = storedEvent(
  'SmsDeliveryFailed',
  { messageKey: 'sms_k1', providerId: 'p-1', error: 'MK:0001 空号', at: '2026-07-11T01:01:06.000Z' },
  { streamId: 'sms-sms_k1', revision: 2 },
);

describe('smsMessages projection: who was told what, when', () => {
  it('records a sent message with its items and the targets it was about', () => {
    expect(projectionSpec(smsMessagesProjection).given(sent).document(SMS_MESSAGES, 'sms_k1')).toMatchObject({
      userId: 'u1',
      phone: '138****0002',
      items: [item],
      status: 'sent',
      sentAt: '2026-07-11T01:01:00.000Z',
      deliveredAt: null,
    });
  });

  it('indexes a message under each target it was about, once', () => {
    const two = storedEvent(
      'SmsSent',
      {
        ...sent.data,
        messageKey: 'sms_k2',
        items: [item, { ...item, reminderKey: 'r2', targetId: 'T2' }, { ...item, reminderKey: 'r3' }],
      },
      { streamId: 'sms-sms_k2', revision: 0 },
    );
    const spec = projectionSpec(smsMessagesProjection).given(sent, two, delivered);
    expect(
      spec
        .all(SMS_BY_TARGET)
        .map((d) => d._id)
        .sort(),
    ).toEqual(['T1~sms_k1', 'T1~sms_k2', 'T2~sms_k2']);
    expect(spec.document(SMS_BY_TARGET, 'T2~sms_k2')).toMatchObject({
      targetId: 'T2',
      messageKey: 'sms_k2',
      userId: 'u1',
      at: '2026-07-11T01:01:00.000Z',
    });
  });

  it('marks the delivery; a later failure receipt does not undo it', () => {
    const doc = projectionSpec(smsMessagesProjection)
      .given(sent, delivered, failed)
      .document(SMS_MESSAGES, 'sms_k1');
    expect(doc).toMatchObject({ status: 'delivered', deliveredAt: '2026-07-11T01:01:05.000Z', error: null });
  });

  it('marks a failed delivery with the provider’s reason', () => {
    const doc = projectionSpec(smsMessagesProjection).given(sent, failed).document(SMS_MESSAGES, 'sms_k1');
    expect(doc).toMatchObject({ status: 'deliveryFailed', error: 'MK:0001 空号' });
  });

  it('keeps a receipt that arrives before the send is recorded', () => {
    const early = storedEvent('SmsDelivered', delivered.data, { streamId: 'sms-sms_k1', revision: 0 });
    const late = storedEvent('SmsSent', sent.data, { streamId: 'sms-sms_k1', revision: 1 });
    const doc = projectionSpec(smsMessagesProjection).given(early, late).document(SMS_MESSAGES, 'sms_k1');
    expect(doc).toMatchObject({ status: 'delivered', userId: 'u1', sentAt: '2026-07-11T01:01:00.000Z' });
  });

  it('records a refusal by the provider', () => {
    const rejected = storedEvent(
      'SmsRejected',
      { ...facts, error: 'isv.MOBILE_NUMBER_ILLEGAL', at: '2026-07-11T01:01:00.000Z' },
      { streamId: 'sms-sms_k1', revision: 0 },
    );
    expect(
      projectionSpec(smsMessagesProjection).given(rejected).document(SMS_MESSAGES, 'sms_k1'),
    ).toMatchObject({ status: 'rejected', text: null, error: 'isv.MOBILE_NUMBER_ILLEGAL' });
  });

  it('masks phone numbers for the log', () => {
    expect(maskPhone('13800000002')).toBe('138****0002');
    expect(maskPhone('12')).toBe('****');
  });
});
