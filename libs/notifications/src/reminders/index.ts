export * from './sms.port';
export * from './outbox.sms-gateway';
export * from './sms-ledger';
export * from './reminder-planner.reactor';
export * from './send-reminder.processor';
export * from './reminders.module';
