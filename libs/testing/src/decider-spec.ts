import type { Decider, DomainEvent } from '@dukao/event-store';

/**
 * given(events).when(command).then(events) | .thenRefuses(code) on a pure decider:
 * `deciderSpec(userDecider).given(registered).when(grant).then([granted])`.
 */
export function deciderSpec<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
) {
  return {
    given(...events: Event[]) {
      const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        state,
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: Event[]) {
              expect(run()).toEqual(expected);
            },
            thenRefuses(code: string, message?: RegExp) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toMatchObject({ code });
              if (message) expect((caught as Error).message).toMatch(message);
            },
          };
        },
      };
    },
  };
}
