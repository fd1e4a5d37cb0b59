import { z } from 'zod';

/**
 * The scoring scheme, warning thresholds and reminder schedule of a cycle: versioned data published
 * as events (SchemePublished), never constants in code. `DEFAULT_SCHEME` is shared/DOMAIN.md's
 * default; it is published as version 1 when a cycle opens, and every later version is a new event.
 */
export const schemeSchema = z.object({
  scoring: z.object({
    completionCap: z.number().min(1).max(3),
    progressFullAt: z.number().positive(),
    progressZeroAt: z.number().min(0),
    contributionWeights: z.object({
      total: z.number().min(0),
      increment: z.number().min(0),
      growth: z.number().min(0),
    }),
    lateMilestoneCredit: z.number().min(0).max(1),
    bonusCap: z.number().min(0),
    accountabilityDeductions: z.object({
      caution: z.number().min(0),
      interview: z.number().min(0),
      publicNotice: z.number().min(0),
      admonition: z.number().min(0),
      accountability: z.number().min(0),
    }),
    falseReportDeduction: z.number().min(0),
    grades: z.object({
      excellentShare: z.number().min(0).max(1),
      excellentMinShareOfMax: z.number().min(0).max(1),
      goodMinShareOfMax: z.number().min(0).max(1),
      passMinShareOfMax: z.number().min(0).max(1),
    }),
  }),
  warnings: z.object({
    bellGap: z.number().min(0),
    yellowGap: z.number().min(0),
    redGap: z.number().min(0),
    dueSoonDays: z.number().int().min(0),
    redOverdueDays: z.number().int().min(0),
    milestoneYellowDays: z.number().int().min(0),
  }),
  reminders: z.object({
    /** Local time (Asia/Shanghai) of scheduled reminders. */
    sendAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
    tier1DaysBefore: z.array(z.number().int().min(1)).max(5),
    tier2DaysAfter: z.number().int().min(0),
    tier3DaysAfter: z.number().int().min(0),
    /**
     * How the day offsets above count: 'calendar' days, or 'working' days under the published
     * working-day calendars (法定节假日, 调休). Optional so that schemes stored before it existed stay
     * valid: absent means 'calendar' (read it with `reminderOffsetDays`).
     */
    offsetDays: z.enum(['calendar', 'working']).optional(),
    quietHours: z.object({
      from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
      to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
    }),
    perPhoneLimits: z.object({
      perMinute: z.number().int().min(1),
      perHour: z.number().int().min(1),
      perDay: z.number().int().min(1),
    }),
  }),
});

export type Scheme = z.infer<typeof schemeSchema>;

/** How a scheme's reminder offsets count days; schemes published before the field existed count calendar days. */
export function reminderOffsetDays(reminders: Scheme['reminders']): 'calendar' | 'working' {
  return reminders.offsetDays ?? 'calendar';
}

export const DEFAULT_SCHEME: Scheme = {
  scoring: {
    completionCap: 1.2,
    progressFullAt: 1,
    progressZeroAt: 0.5,
    contributionWeights: { total: 0.4, increment: 0.3, growth: 0.3 },
    lateMilestoneCredit: 0.5,
    bonusCap: 3,
    accountabilityDeductions: {
      caution: 0,
      interview: 0.5,
      publicNotice: 1,
      admonition: 2,
      accountability: 3,
    },
    falseReportDeduction: 5,
    grades: {
      excellentShare: 0.3,
      excellentMinShareOfMax: 0.9,
      goodMinShareOfMax: 0.8,
      passMinShareOfMax: 0.6,
    },
  },
  warnings: {
    bellGap: 5,
    yellowGap: 10,
    redGap: 20,
    dueSoonDays: 3,
    redOverdueDays: 7,
    milestoneYellowDays: 3,
  },
  reminders: {
    sendAt: '09:00',
    tier1DaysBefore: [3, 1],
    tier2DaysAfter: 1,
    tier3DaysAfter: 3,
    offsetDays: 'calendar',
    quietHours: { from: '22:00', to: '08:00' },
    perPhoneLimits: { perMinute: 1, perHour: 5, perDay: 10 },
  },
};

export const METHODS = ['completion', 'progress', 'contribution', 'milestones', 'satisfaction'] as const;
export type ScoringMethod = (typeof METHODS)[number];

export const indicatorSchema = z.object({
  indicatorId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  parentId: z.string().nullable(),
  name: z.string().min(1).max(100),
  level: z.union([z.literal(1), z.literal(2)]),
  points: z.number().positive(),
  method: z.enum(METHODS).nullable(),
});
export type Indicator = z.infer<typeof indicatorSchema>;

/** Problems of an indicator tree: levels, parents, and points adding up to the scale (百分制/千分制). */
export function indicatorTreeProblems(scale: number, indicators: Indicator[]): string[] {
  const problems: string[] = [];
  const byId = new Map(indicators.map((i) => [i.indicatorId, i]));
  if (byId.size !== indicators.length) problems.push('指标编号重复');
  const roots = indicators.filter((i) => i.level === 1);
  for (const i of indicators) {
    if (i.level === 1 && i.parentId !== null) problems.push(`一级指标 ${i.name} 不能有上级`);
    if (i.level === 2 && byId.get(i.parentId ?? '')?.level !== 1)
      problems.push(`二级指标 ${i.name} 的上级须为一级指标`);
  }
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  const total = round(roots.reduce((sum, i) => sum + i.points, 0));
  if (total !== scale) problems.push(`一级指标分值合计 ${total}，应为 ${scale}`);
  for (const root of roots) {
    const children = indicators.filter((i) => i.parentId === root.indicatorId);
    if (children.length === 0 && root.method === null)
      problems.push(`一级指标 ${root.name} 无二级指标时须指定计分方法`);
    if (children.length > 0) {
      const sum = round(children.reduce((s, c) => s + c.points, 0));
      if (sum !== root.points)
        problems.push(`一级指标 ${root.name} 的二级指标分值合计 ${sum}，应为 ${root.points}`);
    }
  }
  for (const i of indicators.filter((x) => x.level === 2))
    if (i.method === null) problems.push(`二级指标 ${i.name} 须指定计分方法`);
  return problems;
}
