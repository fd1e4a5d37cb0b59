import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  LOG_DIGESTS,
  LogDigester,
  type LogDigestDocument,
  type LogDigestView,
  logDigestNotFound,
  signingKeyNotConfigured,
  verifyLogAgainstDigest,
} from '@dukao/audit';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  readAllPages,
  verifyChain,
} from '@dukao/event-store';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { CommandMeta, Public, Roles } from '../security/access';
import { DigestListQuery, DigestParams, LogDigestDocumentDto } from './audit.dto';
import { RecordedRead } from './recorded-read';

const VERIFY_PAGE = 5000;

/**
 * Tamper evidence (docs/audit.md): the hash-chain check of the whole log, and signed digests of the
 * log (a Merkle root over every event by position, signed with Ed25519) that inspectors download and
 * keep outside the system, then check the log against at any later time.
 */
@ApiTags('audit')
@Controller('audit')
export class AuditLogController {
  constructor(
    private readonly digester: LogDigester,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
  ) {}

  @Get('verify')
  @Roles('inspector', 'auditor')
  @RecordedRead('auditVerify')
  @ApiOperation({
    summary: '校验整个日志：逐条重算每个事件流的哈希链，报告第一处断裂（电子监察、安全审计员；查阅留痕）',
  })
  async verify() {
    const result = await verifyChain(readAllPages(this.events, { upcast: false, pageSize: VERIFY_PAGE }), {
      gapFreePositions: this.events.positionsAreGapFree,
    });
    return { ...result, message: result.ok ? '日志完整，未被篡改' : '日志校验失败：哈希链断裂' };
  }

  @Get('public-key')
  @Public()
  @ApiOperation({ summary: '日志摘要的签名公钥（Ed25519，PEM）与 keyId：请在系统之外留存' })
  publicKey() {
    const key = this.digester.publicKey();
    if (!key) throw signingKeyNotConfigured();
    return key;
  }

  @Get('digests')
  @Roles('inspector', 'auditor')
  @RecordedRead('logDigests')
  @ApiOperation({ summary: '已签发的日志摘要，最近的在前（电子监察、安全审计员；查阅留痕）' })
  async digests(@Query() query: DigestListQuery) {
    const page = await this.readYourWrites.page<LogDigestView>(
      LOG_DIGESTS,
      {},
      { recordedAtPosition: -1 },
      query,
    );
    return { ...page, items: page.items.map(({ document: _document, ...summary }) => summary) };
  }

  @Post('digests')
  @Roles('inspector')
  @ApiOperation({ summary: '立即签发一份日志摘要（电子监察）' })
  async sign(@CommandMeta() context: CommandContext) {
    const recorded = await this.digester.record({ kind: 'request', userId: context.actor.userId }, context);
    return { ...recorded.document, position: recorded.position, replayed: recorded.replayed };
  }

  @Post('digests/verify')
  @HttpCode(200)
  @Roles('inspector', 'auditor')
  @RecordedRead('logDigestVerify')
  @ApiOperation({
    summary:
      '以此前下载的摘要校验当前日志：签名有效、前 N 个事件仍得出所签的默克尔根（日志只增未改），否则报告第一处差异（电子监察、安全审计员；查阅留痕）',
  })
  async verifyDigest(@Body() body: LogDigestDocumentDto) {
    const document = JSON.parse(JSON.stringify(body)) as LogDigestDocument;
    const result = await verifyLogAgainstDigest(
      document,
      readAllPages(this.events, { upcast: false, pageSize: VERIFY_PAGE }),
      { gapFreePositions: this.events.positionsAreGapFree },
    );
    const current = this.digester.publicKey();
    return {
      ...result,
      signedWithThisServersKey: current !== null && current.keyId === result.signature.keyId,
      message: result.ok ? '日志自该摘要签发以来只增未改' : '日志与摘要不符',
    };
  }

  @Get('digests/:digestId')
  @Roles('inspector', 'auditor')
  @RecordedRead('logDigest')
  @ApiOperation({
    summary:
      '下载一份日志摘要（自包含 JSON，含公钥与签名；请在系统之外留存）（电子监察、安全审计员；查阅留痕）',
  })
  async digest(@Param() params: DigestParams) {
    const view = await this.views.get<LogDigestView>(LOG_DIGESTS, params.digestId);
    if (!view) throw logDigestNotFound(params.digestId);
    const content = Buffer.from(`${JSON.stringify(view.document, null, 2)}\n`, 'utf8');
    return new StreamableFile(content, {
      type: 'application/json; charset=utf-8',
      length: content.length,
      disposition: `attachment; filename="log-digest-${params.digestId}.json"`,
    });
  }
}
