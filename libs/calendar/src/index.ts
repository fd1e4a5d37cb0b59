export * from './domain/work-calendar';
export * from './domain/work-calendar.events';
export * from './domain/work-calendar.errors';
export * from './domain/work-calendar.decider';
export * from './projections/work-calendars.projection';
export * from './queries/calendars-for';
export * from './commands/publish-work-calendar.command';
export * from './calendar.module';
