export * from './job-queue.port';
export * from './sqlite.job-queue';
export * from './bullmq.job-queue';
export * from './notifications.module';
export * from './reminders';
export * from './queue-dashboard';
