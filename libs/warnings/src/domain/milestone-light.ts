import { shanghaiDate, type Scheme } from '@dukao/targets';
import { daysBetween } from './calendar';

/** 亮灯: the light of one milestone (seed 004). */
export type MilestoneLight = 'green' | 'yellow' | 'red';

export interface MilestoneProgress {
  /** Shanghai calendar date the milestone is due (done by the end of that day is on time). */
  dueDate: string;
  /** Shanghai date the unit reports it done; null while not done. */
  completedOn: string | null;
}

export interface MilestoneStatus {
  light: MilestoneLight;
  done: boolean;
  /** Done after its due date. The light is green again (nothing left to chase); scoring credits it half. */
  late: boolean;
  /** Days from today to the due date (negative once past); null once done. */
  daysToDue: number | null;
}

/**
 * The light and status of a milestone at an instant. Decision: a light says what needs action now,
 * so a milestone done late is green, with `late: true` for scoring and the record. Not done: red
 * once its due day has ended, yellow from `milestoneYellowDays` days before due through the due day.
 */
export function milestoneStatus(
  milestone: MilestoneProgress,
  now: string | Date,
  thresholds: Pick<Scheme['warnings'], 'milestoneYellowDays'>,
): MilestoneStatus {
  if (milestone.completedOn !== null) {
    return { light: 'green', done: true, late: milestone.completedOn > milestone.dueDate, daysToDue: null };
  }
  const daysToDue = daysBetween(shanghaiDate(now), milestone.dueDate);
  const light: MilestoneLight =
    daysToDue < 0 ? 'red' : daysToDue <= thresholds.milestoneYellowDays ? 'yellow' : 'green';
  return { light, done: false, late: false, daysToDue };
}

/** The light of a milestone at an instant (see `milestoneStatus`). */
export function milestoneLight(
  milestone: MilestoneProgress,
  now: string | Date,
  thresholds: Pick<Scheme['warnings'], 'milestoneYellowDays'>,
): MilestoneLight {
  return milestoneStatus(milestone, now, thresholds).light;
}
