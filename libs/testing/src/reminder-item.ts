import type { ReminderJobPayload } from '@dukao/notifications';

/**
 * The n-th reminder item of the worked example for specs and benchmarks: a tier-1 or tier-2
 * reminder of target `T<n>` in Town A (甲镇), Q2 due 10 July, with its key derived from the duty.
 */
export function reminderItem(
  n: number,
  over: Partial<ReminderJobPayload> & { sendAt: string },
): ReminderJobPayload {
  const tier = over.tier ?? 1;
  const duty = over.duty ?? (tier === 1 ? 'reporter' : 'leaderInCharge');
  const key = `reminder_${duty}_T${n}_2026-Q2_t${tier}_2026-07-10${tier === 1 ? '_b3' : ''}`;
  return {
    jobKey: key,
    reminderKey: key,
    tier,
    duty,
    unitId: 'town-a',
    unitName: '甲镇',
    targetId: `T${n}`,
    targetTitle: 'GDP增速',
    subject: { kind: 'report', period: '2026-Q2' },
    period: '2026-Q2',
    dueDate: '2026-07-10',
    reason: tier === 1 ? 'dueSoon' : 'overdue',
    cycleId: '2026',
    ...over,
  };
}
