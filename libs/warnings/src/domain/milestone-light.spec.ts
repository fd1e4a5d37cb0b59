import { milestoneLight, milestoneStatus } from './milestone-light';
import { SCHEME, sh } from './testing/worked-example.fixture';

const T = SCHEME.warnings; // milestoneYellowDays 3
const open = (dueDate: string) => ({ dueDate, completedOn: null });

describe('milestoneLight', () => {
  it('is green while the due date is more than milestoneYellowDays away', () => {
    expect(milestoneLight(open('2026-06-30'), sh('2026-06-26 23:59'), T)).toBe('green');
  });

  it('is yellow from milestoneYellowDays before due through the end of the due day', () => {
    expect(milestoneLight(open('2026-06-30'), sh('2026-06-27 00:00'), T)).toBe('yellow');
    expect(milestoneLight(open('2026-06-30'), sh('2026-06-30 23:59'), T)).toBe('yellow');
  });

  it('is red once the due day has ended and it is not done', () => {
    expect(milestoneLight(open('2026-06-30'), '2026-06-30T16:00:00.000Z', T)).toBe('red');
    expect(milestoneLight(open('2026-06-30'), sh('2026-09-01 10:00'), T)).toBe('red');
  });

  it('is green when done on time, whatever the date', () => {
    expect(
      milestoneLight({ dueDate: '2026-06-30', completedOn: '2026-06-30' }, sh('2026-07-05 10:00'), T),
    ).toBe('green');
    expect(
      milestoneLight({ dueDate: '2026-06-30', completedOn: '2026-06-20' }, sh('2026-06-29 10:00'), T),
    ).toBe('green');
  });

  it('is green again once done late (nothing left to chase); the status says it was late', () => {
    const late = { dueDate: '2026-06-30', completedOn: '2026-07-03' };
    expect(milestoneLight(late, sh('2026-07-05 10:00'), T)).toBe('green');
    expect(milestoneStatus(late, sh('2026-07-05 10:00'), T)).toEqual({
      light: 'green',
      done: true,
      late: true,
      daysToDue: null,
    });
  });

  it('takes the yellow window from the thresholds passed in', () => {
    const due = open('2026-06-30');
    expect(milestoneLight(due, sh('2026-06-29 10:00'), { milestoneYellowDays: 0 })).toBe('green');
    expect(milestoneLight(due, sh('2026-06-30 10:00'), { milestoneYellowDays: 0 })).toBe('yellow');
    expect(milestoneLight(due, sh('2026-06-23 10:00'), { milestoneYellowDays: 7 })).toBe('yellow');
  });
});

describe('milestoneStatus', () => {
  it('counts the days to due (negative once past) for an open milestone', () => {
    expect(milestoneStatus(open('2026-06-30'), sh('2026-06-28 10:00'), T)).toEqual({
      light: 'yellow',
      done: false,
      late: false,
      daysToDue: 2,
    });
    expect(milestoneStatus(open('2026-06-30'), sh('2026-07-02 10:00'), T)).toEqual({
      light: 'red',
      done: false,
      late: false,
      daysToDue: -2,
    });
  });

  it('is done and not late when completed on the due date', () => {
    expect(
      milestoneStatus({ dueDate: '2026-06-30', completedOn: '2026-06-30' }, sh('2026-07-01 10:00'), T),
    ).toMatchObject({ done: true, late: false });
  });
});
