import { loadConfig } from '@dukao/config';
import { type FakeSmsProvider, startFakeSmsProvider } from '../../../../test/support/fake-sms-provider';
import { AliyunSmsGateway } from './aliyun.sms-gateway';
import { HttpSmsGateway } from './http.sms-gateway';
import { OutboxSmsGateway } from './outbox.sms-gateway';
import { createSmsGateway } from './sms-gateways';

describe('createSmsGateway', () => {
  const secret = 's'.repeat(32);
  let outbox: OutboxSmsGateway;
  let provider: FakeSmsProvider | undefined;
  beforeEach(() => {
    outbox = new OutboxSmsGateway(':memory:');
  });
  afterEach(async () => {
    outbox.close();
    await provider?.close();
    provider = undefined;
  });

  it('answers the outbox by default', () => {
    expect(createSmsGateway(loadConfig({}), outbox)).toBe(outbox);
    expect(createSmsGateway(loadConfig({ SMS_GATEWAY: 'outbox' }), outbox)).toBe(outbox);
  });

  it('makes the http gateway from SMS_HTTP_*, which sends to that URL with that secret', async () => {
    provider = await startFakeSmsProvider({ secret });
    const gateway = createSmsGateway(
      loadConfig({ SMS_GATEWAY: 'http', SMS_HTTP_URL: provider.url, SMS_HTTP_SECRET: secret }),
      outbox,
    );
    expect(gateway).toBeInstanceOf(HttpSmsGateway);
    await gateway.send({ key: 'k1', to: '13800000001', text: '测试' });
    expect(provider.received.map((m) => m.key)).toEqual(['k1']);
    expect(await outbox.list()).toEqual([]);
  });

  it('makes the Aliyun gateway from ALIYUN_*', () => {
    const gateway = createSmsGateway(
      loadConfig({
        SMS_GATEWAY: 'aliyun',
        ALIYUN_ACCESS_KEY_ID: 'LTAI5tExampleId',
        ALIYUN_ACCESS_KEY_SECRET: 'aliyun-secret-value',
        ALIYUN_SMS_SIGN_NAME: '督考',
        ALIYUN_SMS_TEMPLATES: '{"reminderDigest":"SMS_123456789"}',
      }),
      outbox,
    );
    expect(gateway).toBeInstanceOf(AliyunSmsGateway);
  });
});
