import { timingSafeEqual } from 'node:crypto';
import { Controller, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import {
  InvalidSmsReceiptError,
  parseAliyunReports,
  parseHttpReceipts,
  recordSmsReceipts,
  type SmsReceipt,
  verifyDukaoSignature,
} from '@dukao/notifications';
import { ApiError } from '../errors/api-error';
import { Public } from '../security/access';

type ReceiptRequest = Request & { rawBody?: Buffer; correlationId?: string };

const unauthenticated = () => new ApiError(401, 'SMS_RECEIPT_UNAUTHENTICATED', '短信回执签名或令牌无效');

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Delivery receipts pushed by the SMS provider (短信回执). Public, since the provider has no user:
 * the generic http gateway signs its callback with the shared secret (`X-Dukao-Timestamp`,
 * `X-Dukao-Signature` over the raw body); Aliyun's HTTP push carries a shared token in the query.
 * Each receipt becomes `SmsDelivered` or `SmsDeliveryFailed` on the message's stream, once.
 * A callback for another gateway than the one configured is refused, so a forged path cannot
 * bypass the check.
 */
@ApiTags('reminders')
@Controller('reminders/receipts')
export class SmsReceiptsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':gateway')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: '短信送达回执（短信服务商回调，签名或令牌校验）（公开）' })
  async receive(
    @Param('gateway') gateway: string,
    @Query('token') token: string | undefined,
    @Req() request: ReceiptRequest,
  ) {
    const sms = this.config.sms;
    let receipts: SmsReceipt[];
    try {
      if (gateway === 'http' && sms.kind === 'http') {
        const ok = verifyDukaoSignature(
          sms.secret,
          request.header('x-dukao-timestamp'),
          request.rawBody ?? Buffer.alloc(0),
          request.header('x-dukao-signature'),
          this.clock().getTime(),
        );
        if (!ok) throw unauthenticated();
        receipts = parseHttpReceipts(request.body);
      } else if (gateway === 'aliyun' && sms.kind === 'aliyun') {
        if (!sms.receiptToken || typeof token !== 'string' || !sameSecret(token, sms.receiptToken))
          throw unauthenticated();
        receipts = parseAliyunReports(request.body);
      } else {
        throw new ApiError(404, 'SMS_GATEWAY_NOT_CONFIGURED', '未启用该短信通道的回执');
      }
    } catch (error) {
      if (error instanceof InvalidSmsReceiptError)
        throw new ApiError(400, 'INVALID_SMS_RECEIPT', '短信回执格式不正确', { problems: error.problems });
      throw error;
    }
    const result = await recordSmsReceipts(
      this.events,
      receipts,
      request.correlationId ?? `sms-receipts:${this.clock().toISOString()}`,
    );
    // Aliyun's push expects exactly this answer, else it pushes again.
    return gateway === 'aliyun' ? { code: 0, msg: '成功' } : result;
  }
}
