/** The server clock, injected so that tests can move time; domain code gets time through commands. */
export type Clock = () => Date;
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = () => new Date();

/** The actor of events the system records by itself (lockouts, scheduled checks, bootstrap). */
export const SYSTEM_ACTOR = { userId: 'system', role: 'system', unitId: null } as const;
