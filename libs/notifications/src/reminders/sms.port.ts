/** One SMS. `key` is the idempotency key: a gateway sends (stores) a key at most once. */
export interface SmsMessage {
  to: string;
  text: string;
  key: string;
}

/** The port to the SMS provider. Sending the same `key` twice must not send twice. */
export interface SmsGateway {
  send(message: SmsMessage): Promise<{ providerId: string }>;
}

/** DI token for the SMS gateway. */
export const SMS_GATEWAY = Symbol('SMS_GATEWAY');
