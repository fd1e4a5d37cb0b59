export * from './domain/calendar';
export * from './domain/warning-level';
export * from './domain/milestone-light';
export * from './domain/reminder-plan';
export * from './domain/quiet-hours';
