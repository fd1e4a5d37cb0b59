import type { Decider } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';

/** An assessed unit (被考核单位): a town or a department, compared only within its category. */
export const CATEGORIES = ['towns', 'departments'] as const;
export type Category = (typeof CATEGORIES)[number];

export type UnitRegistered = {
  type: 'UnitRegistered';
  data: {
    unitId: string;
    name: string;
    category: Category;
    subCategory: string | null;
    registeredAt: string;
  };
};
export type UnitRenamed = { type: 'UnitRenamed'; data: { unitId: string; name: string; renamedAt: string } };
export type UnitEvent = UnitRegistered | UnitRenamed;
export const UNIT_EVENT_TYPES: readonly UnitEvent['type'][] = ['UnitRegistered', 'UnitRenamed'];

export type UnitState =
  { status: 'none' } | { status: 'registered'; unitId: string; name: string; category: Category };
export type UnitCommand =
  | {
      type: 'RegisterUnit';
      unitId: string;
      name: string;
      category: Category;
      subCategory: string | null;
      at: string;
    }
  | { type: 'RenameUnit'; name: string; at: string };

export const UnitErrors = {
  exists: (unitId: string) => new DomainError('conflict', 'UNIT_EXISTS', '单位已存在', { unitId }),
  notFound: (unitId: string) => new DomainError('not-found', 'UNIT_NOT_FOUND', '单位不存在', { unitId }),
};

export const unitDecider: Decider<UnitCommand, UnitState, UnitEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'UnitRegistered':
        return {
          status: 'registered',
          unitId: event.data.unitId,
          name: event.data.name,
          category: event.data.category,
        };
      case 'UnitRenamed':
        return state.status === 'none' ? state : { ...state, name: event.data.name };
    }
  },
  decide(command, state) {
    if (command.type === 'RegisterUnit') {
      if (state.status !== 'none') throw UnitErrors.exists(command.unitId);
      const { unitId, name, category, subCategory, at } = command;
      return [{ type: 'UnitRegistered', data: { unitId, name, category, subCategory, registeredAt: at } }];
    }
    if (state.status === 'none') throw UnitErrors.notFound('');
    if (command.name === state.name) return [];
    return [
      { type: 'UnitRenamed', data: { unitId: state.unitId, name: command.name, renamedAt: command.at } },
    ];
  },
};

export const unitStream = (unitId: string) => `unit-${unitId}`;
