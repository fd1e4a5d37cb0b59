import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '@dukao/config';
import type { Clock } from '@dukao/kernel';
import { AppModule } from './app.module';
import helmet from 'helmet';
import { AuthService } from '@dukao/identity';
import { JOB_QUEUE, type JobQueue, mountQueueDashboard } from '@dukao/notifications';
import { Metrics, OperationsStatus, PinoLoggerService, createLogger } from '@dukao/observability';
import { correlationId } from './common/correlation-id.middleware';
import { requestLogging } from './common/logging';
import { HttpDrain } from './health/http-drain';
import { httpMetrics } from './metrics/http-metrics.middleware';
import { metricsScrapeToken } from './metrics/metrics.controller';
import { queueDashboardAccess } from './metrics/queue-dashboard-access';
import { jsonDepthLimit } from './common/json-depth.middleware';
import { validationPipe } from './common/validation';
import { ApiExceptionFilter } from './errors/api-exception.filter';

/** Builds the HTTP app; used by main.ts and by the e2e suites, so both run the same wiring. */
export async function createApiApp(
  config: AppConfig,
  options: { logger?: false; clock?: Clock } = {},
): Promise<INestApplication> {
  // JSON lines on stdout (docs/operations.md); the e2e suites run quiet.
  const logger = options.logger === false ? null : createLogger({ service: 'api', level: config.logLevel });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options.clock), {
    bodyParser: false,
    // Kept beside the parsed body for signed callbacks (SMS receipts), whose signature covers the bytes.
    rawBody: true,
    logger: logger ? new PinoLoggerService(logger) : false,
  });
  // Counts requests in flight first, so shutdown waits for every one of them.
  app.use(app.get(HttpDrain).middleware);
  // Security headers; CORS stays off (same-origin clients only) unless a deployment adds it.
  app.use(helmet());
  app.use(correlationId);
  app.use(requestLogging(logger));
  app.use(httpMetrics(app.get(Metrics)));
  app.use(metricsScrapeToken(config.metricsToken, app.get(Metrics), app.get(OperationsStatus)));
  // The BullMQ dashboard where BullMQ is in use (REDIS_URL), for 系统管理员 only.
  mountQueueDashboard(app.getHttpAdapter().getInstance(), app.get<JobQueue>(JOB_QUEUE), {
    basePath: '/admin/queues',
    authorize: queueDashboardAccess(app.get(AuthService)),
    cookieMaxAgeSeconds: config.auth.accessTokenTtlSeconds,
  });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.use(jsonDepthLimit);
  app.disable('x-powered-by');
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(validationPipe);
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Dukao 督考 API')
      .setDescription('绩效管理 · 督查督办：目标下达、进度填报、预警提醒、督查督办、评分排名、申诉与审计')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', useGlobalPrefix: false });
  return app;
}
