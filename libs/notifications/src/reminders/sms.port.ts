/**
 * A provider-side template and its variables. Providers that send only pre-approved templates
 * (Aliyun) send this; the others may ignore it and send `text`.
 */
export interface SmsTemplate {
  /** Our template name, e.g. `reminderDigest`; each gateway maps it to its provider's id. */
  name: string;
  params: Record<string, string>;
}

/** One SMS. `key` is the idempotency key: a gateway sends (stores) a key at most once. */
export interface SmsMessage {
  to: string;
  /** The full rendered Chinese text, also when a template is given. */
  text: string;
  key: string;
  template?: SmsTemplate;
}

/**
 * The port to the SMS provider. Sending the same `key` twice must not send twice.
 *
 * Failures: {@link SmsRejectedError} when the provider refused this message for good (retrying
 * cannot help); any other error is transient and the caller may retry with the same `key`.
 */
export interface SmsGateway {
  send(message: SmsMessage): Promise<{ providerId: string }>;
}

/** DI token for the SMS gateway. */
export const SMS_GATEWAY = Symbol('SMS_GATEWAY');

/**
 * The provider refused this message (invalid number, template not approved, a 4xx answer):
 * retrying the same message cannot succeed.
 *
 * `permanent` is the job queue's marker (see `PermanentJobError`): a job whose handler throws this
 * fails at once instead of spending its remaining attempts. The flag keeps this port free of queue
 * imports.
 */
export class SmsRejectedError extends Error {
  readonly code = 'SMS_REJECTED';
  readonly permanent = true;

  constructor(
    /** Which gateway refused: `http`, `aliyun`, … */
    readonly gateway: string,
    /** The provider's own error code (`isv.MOBILE_NUMBER_ILLEGAL`, an HTTP status, …). */
    readonly providerCode: string,
    /** The provider's own explanation, as sent. */
    readonly providerMessage: string,
    options?: ErrorOptions,
  ) {
    super(
      `SMS rejected by the ${gateway} gateway: ${providerCode}${providerMessage ? ` ${providerMessage}` : ''}`,
      options,
    );
    this.name = 'SmsRejectedError';
  }
}

/** A delivery receipt from the provider: whether the message reached the phone. */
export interface SmsReceipt {
  /** The idempotency key the message was sent with. */
  key: string;
  providerId: string | null;
  phone: string | null;
  delivered: boolean;
  /** ISO 8601 UTC instant of the report (when the handset or carrier answered). */
  at: string;
  /** The provider's reason when not delivered. */
  error: string | null;
}

/** A receipt callback whose body is not what the gateway's format allows; answer it with 400. */
export class InvalidSmsReceiptError extends Error {
  readonly code = 'INVALID_SMS_RECEIPT';

  constructor(
    readonly gateway: string,
    readonly problems: string[],
  ) {
    super(`invalid ${gateway} SMS receipt: ${problems.join('; ')}`);
    this.name = 'InvalidSmsReceiptError';
  }
}
