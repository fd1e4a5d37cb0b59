import type { AppConfig } from '@dukao/config';
import { AliyunSmsGateway } from './aliyun.sms-gateway';
import { HttpSmsGateway } from './http.sms-gateway';
import type { SmsGateway } from './sms.port';

/**
 * The one place that picks the SMS gateway, by `SMS_GATEWAY` (checked at boot by `loadConfig`):
 * the embedded outbox (default), the generic signed-HTTP gateway, or Aliyun SMS.
 */
export function createSmsGateway(config: Pick<AppConfig, 'sms'>, outbox: SmsGateway): SmsGateway {
  const sms = config.sms;
  switch (sms.kind) {
    case 'outbox':
      return outbox;
    case 'http':
      return new HttpSmsGateway({ url: sms.url, secret: sms.secret, timeoutMs: sms.timeoutMs });
    case 'aliyun':
      return new AliyunSmsGateway({
        accessKeyId: sms.accessKeyId,
        accessKeySecret: sms.accessKeySecret,
        signName: sms.signName,
        templates: sms.templates,
        endpoint: sms.endpoint,
        protocol: sms.protocol,
        timeoutMs: sms.timeoutMs,
      });
    default: {
      const unknown: never = sms;
      throw new Error(`unknown SMS gateway ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
