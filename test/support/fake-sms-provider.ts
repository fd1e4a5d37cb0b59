import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyDukaoSignature } from '../../libs/notifications/src/reminders/http.sms-gateway';

/**
 * How the fake answers a valid, signed request for a key it has not accepted yet:
 * - `'ok'`: accepts it, 200 `{providerId}`;
 * - `{status, code?, message?}`: answers that status with `{code, message}` (and accepts nothing);
 * - `'hang'`: never answers (to test timeouts);
 * - `{failFirst: n}`: answers 503 to the first n attempts of each key, then accepts.
 * A key already accepted is always answered 200 with its first providerId.
 */
export type FakeSmsBehaviour =
  'ok' | 'hang' | { status: number; code?: string; message?: string } | { failFirst: number };

export interface FakeSmsMessage {
  key: string;
  to: string;
  text: string;
  template: { name: string; params: Record<string, string> } | null;
  /** When the fake accepted it (ISO). */
  at: string;
  providerId: string;
}

/** Every request that reached the fake, signed or not, in order. */
export interface FakeSmsRequest {
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The status answered, or null while hanging. */
  status: number | null;
}

export interface FakeSmsProvider {
  /** `http://127.0.0.1:<port>/sms` */
  url: string;
  /** Messages accepted, once per key, in order. */
  received: FakeSmsMessage[];
  requests: FakeSmsRequest[];
  /** How many times the key was accepted as a new message: 0 or 1 when the gateway is idempotent. */
  countByKey(key: string): number;
  /** How many signed requests carried the key (retries included). */
  attemptsByKey(key: string): number;
  setBehaviour(behaviour: FakeSmsBehaviour): void;
  /** Stops listening and drops open connections (hanging requests included). */
  close(): Promise<void>;
}

/**
 * A local provider for the generic HTTP SMS gateway's receiving side: it checks
 * `X-Dukao-Signature` (401 when wrong or stale), refuses a body whose `key` differs from the
 * `Idempotency-Key` header (400), dedupes by that key, and answers as `behaviour` says.
 * Listens on 127.0.0.1, on a free port.
 */
export async function startFakeSmsProvider(options: {
  secret: string;
  behaviour?: FakeSmsBehaviour;
}): Promise<FakeSmsProvider> {
  let behaviour: FakeSmsBehaviour = options.behaviour ?? 'ok';
  const received: FakeSmsMessage[] = [];
  const requests: FakeSmsRequest[] = [];
  const accepted = new Map<string, FakeSmsMessage>();
  const attempts = new Map<string, number>();

  const answer = (res: ServerResponse, record: FakeSmsRequest, status: number, body: object) => {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    const record: FakeSmsRequest = { headers: req.headers, rawBody, status: null };
    requests.push(record);
    if (req.method !== 'POST') return answer(res, record, 405, { code: 'METHOD', message: 'POST only' });
    const timestamp = header(req, 'x-dukao-timestamp');
    const signature = header(req, 'x-dukao-signature');
    if (!verifyDukaoSignature(options.secret, timestamp, rawBody, signature, Date.now()))
      return answer(res, record, 401, { code: 'BAD_SIGNATURE', message: 'signature check failed' });
    const key = header(req, 'idempotency-key');
    let body: Partial<FakeSmsMessage>;
    try {
      body = JSON.parse(rawBody) as Partial<FakeSmsMessage>;
    } catch {
      return answer(res, record, 400, { code: 'BAD_JSON', message: 'body is not JSON' });
    }
    if (!key || body.key !== key)
      return answer(res, record, 400, {
        code: 'KEY_MISMATCH',
        message: 'Idempotency-Key differs from body.key',
      });
    if (typeof body.to !== 'string' || typeof body.text !== 'string')
      return answer(res, record, 400, { code: 'BAD_MESSAGE', message: 'to and text are required' });

    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const known = accepted.get(key);
    if (known) return answer(res, record, 200, { providerId: known.providerId });

    if (behaviour === 'hang') return; // the socket stays open until the client gives up or close()
    if (typeof behaviour === 'object' && 'status' in behaviour)
      return answer(res, record, behaviour.status, {
        code: behaviour.code ?? `HTTP_${behaviour.status}`,
        message: behaviour.message ?? 'fake provider refused',
      });
    if (typeof behaviour === 'object' && attempt <= behaviour.failFirst)
      return answer(res, record, 503, { code: 'UNAVAILABLE', message: `failing attempt ${attempt}` });

    const message: FakeSmsMessage = {
      key,
      to: body.to,
      text: body.text,
      template: body.template ?? null,
      at: new Date().toISOString(),
      providerId: `fake-${randomUUID()}`,
    };
    accepted.set(key, message);
    received.push(message);
    return answer(res, record, 200, { providerId: message.providerId });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/sms`,
    received,
    requests,
    countByKey: (key) => received.filter((m) => m.key === key).length,
    attemptsByKey: (key) => attempts.get(key) ?? 0,
    setBehaviour: (next) => {
      behaviour = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
