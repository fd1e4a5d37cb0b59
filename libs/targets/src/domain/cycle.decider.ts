import type { Decider } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import { type Indicator, type Scheme, indicatorTreeProblems, schemeSchema } from './scheme';

/**
 * An assessment cycle (考核周期) and its versioned data: the scheme (scoring, warnings, reminders)
 * and one indicator tree per unit category. Each publication is a new version, effective from a
 * date; earlier versions stay as they were.
 */
export type CycleOpened = {
  type: 'CycleOpened';
  data: { cycleId: string; year: number; name: string; openedAt: string };
};
export type SchemePublished = {
  type: 'SchemePublished';
  data: {
    cycleId: string;
    version: number;
    effectiveFrom: string;
    scheme: Scheme;
    note: string;
    publishedAt: string;
  };
};
export type IndicatorTreePublished = {
  type: 'IndicatorTreePublished';
  data: {
    cycleId: string;
    category: string;
    version: number;
    effectiveFrom: string;
    scale: number;
    indicators: Indicator[];
    publishedAt: string;
  };
};
export type CycleClosed = { type: 'CycleClosed'; data: { cycleId: string; closedAt: string } };
export type CycleEvent = CycleOpened | SchemePublished | IndicatorTreePublished | CycleClosed;
export const CYCLE_EVENT_TYPES: readonly CycleEvent['type'][] = [
  'CycleOpened',
  'SchemePublished',
  'IndicatorTreePublished',
  'CycleClosed',
];

export type CycleState =
  | { status: 'none' }
  | {
      status: 'open' | 'closed';
      cycleId: string;
      year: number;
      schemes: Array<{ version: number; effectiveFrom: string; scheme: Scheme }>;
      trees: Record<
        string,
        Array<{ version: number; effectiveFrom: string; scale: number; indicators: Indicator[] }>
      >;
    };

export type CycleCommand =
  | { type: 'OpenCycle'; cycleId: string; year: number; name: string; defaultScheme: Scheme; at: string }
  | { type: 'PublishScheme'; scheme: unknown; effectiveFrom: string; note: string; at: string }
  | {
      type: 'PublishIndicatorTree';
      category: string;
      scale: number;
      indicators: Indicator[];
      effectiveFrom: string;
      at: string;
    }
  | { type: 'CloseCycle'; at: string };

export const CycleErrors = {
  exists: (cycleId: string) => new DomainError('conflict', 'CYCLE_EXISTS', '考核周期已存在', { cycleId }),
  notFound: () => new DomainError('not-found', 'CYCLE_NOT_FOUND', '考核周期不存在'),
  closed: () => new DomainError('conflict', 'CYCLE_CLOSED', '考核周期已结束'),
  invalidScheme: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_SCHEME', `评分方案不符合要求：${problems.join('；')}`, { problems }),
  invalidTree: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_INDICATOR_TREE', `指标体系不符合要求：${problems.join('；')}`, {
      problems,
    }),
  badScale: () => new DomainError('invalid', 'INVALID_SCALE', '指标体系须为百分制（100）或千分制（1000）'),
  versionOutOfOrder: (last: string) =>
    new DomainError('conflict', 'VERSION_OUT_OF_ORDER', '新版本的生效时间不能早于上一版本', {
      lastEffectiveFrom: last,
    }),
};

/** The version of a versioned item in force at an instant. */
export function versionAt<T extends { effectiveFrom: string }>(
  versions: readonly T[],
  at: string,
): T | undefined {
  return versions.filter((v) => v.effectiveFrom <= at).at(-1);
}

export const cycleDecider: Decider<CycleCommand, CycleState, CycleEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'CycleOpened')
      return { status: 'open', cycleId: event.data.cycleId, year: event.data.year, schemes: [], trees: {} };
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'SchemePublished': {
        const { version, effectiveFrom, scheme } = event.data;
        return { ...state, schemes: [...state.schemes, { version, effectiveFrom, scheme }] };
      }
      case 'IndicatorTreePublished': {
        const { category, version, effectiveFrom, scale, indicators } = event.data;
        return {
          ...state,
          trees: {
            ...state.trees,
            [category]: [...(state.trees[category] ?? []), { version, effectiveFrom, scale, indicators }],
          },
        };
      }
      case 'CycleClosed':
        return { ...state, status: 'closed' };
    }
  },
  decide(command, state) {
    if (command.type === 'OpenCycle') {
      if (state.status !== 'none') throw CycleErrors.exists(command.cycleId);
      const { cycleId, year, name, defaultScheme, at } = command;
      return [
        { type: 'CycleOpened', data: { cycleId, year, name, openedAt: at } },
        {
          type: 'SchemePublished',
          data: {
            cycleId,
            version: 1,
            effectiveFrom: at,
            scheme: defaultScheme,
            note: '默认方案',
            publishedAt: at,
          },
        },
      ];
    }
    if (state.status === 'none') throw CycleErrors.notFound();
    if (state.status === 'closed') throw CycleErrors.closed();
    switch (command.type) {
      case 'PublishScheme': {
        const parsed = schemeSchema.safeParse(command.scheme);
        if (!parsed.success)
          throw CycleErrors.invalidScheme(
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          );
        const last = state.schemes.at(-1)!;
        if (command.effectiveFrom < last.effectiveFrom)
          throw CycleErrors.versionOutOfOrder(last.effectiveFrom);
        return [
          {
            type: 'SchemePublished',
            data: {
              cycleId: state.cycleId,
              version: last.version + 1,
              effectiveFrom: command.effectiveFrom,
              scheme: parsed.data,
              note: command.note,
              publishedAt: command.at,
            },
          },
        ];
      }
      case 'PublishIndicatorTree': {
        if (command.scale !== 100 && command.scale !== 1000) throw CycleErrors.badScale();
        const problems = indicatorTreeProblems(command.scale, command.indicators);
        if (problems.length) throw CycleErrors.invalidTree(problems);
        const versions = state.trees[command.category] ?? [];
        const last = versions.at(-1);
        if (last && command.effectiveFrom < last.effectiveFrom)
          throw CycleErrors.versionOutOfOrder(last.effectiveFrom);
        return [
          {
            type: 'IndicatorTreePublished',
            data: {
              cycleId: state.cycleId,
              category: command.category,
              version: (last?.version ?? 0) + 1,
              effectiveFrom: command.effectiveFrom,
              scale: command.scale,
              indicators: command.indicators,
              publishedAt: command.at,
            },
          },
        ];
      }
      case 'CloseCycle':
        return [{ type: 'CycleClosed', data: { cycleId: state.cycleId, closedAt: command.at } }];
    }
  },
};

export const cycleStream = (cycleId: string) => `cycle-${cycleId}`;
