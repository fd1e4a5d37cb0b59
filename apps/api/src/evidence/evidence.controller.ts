import {
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Res,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  EVIDENCE_LIMITS,
  EVIDENCE_MEDIA_TYPES,
  EVIDENCE_STORE,
  EvidenceRejectedError,
  type EvidenceRef,
  type EvidenceRejectionCode,
  type EvidenceStore,
} from '@dukao/evidence-store';
import { singleFileUpload, type UploadedFileData } from '../common/single-file-upload';
import { ApiError } from '../errors/api-error';
import { Roles } from '../security/access';

const MAX_MB = EVIDENCE_LIMITS.maxBytes / 1024 / 1024;

const REJECTION_STATUS: Record<EvidenceRejectionCode, number> = {
  EVIDENCE_MISSING: 400,
  EVIDENCE_TOO_LARGE: 413,
  EVIDENCE_TYPE_NOT_ALLOWED: 415,
  EVIDENCE_TYPE_MISMATCH: 415,
};

/** The extension a download is named with (the stored file has no name of its own). */
const EXTENSIONS: Record<string, string> = {
  [EVIDENCE_MEDIA_TYPES.pdf]: 'pdf',
  [EVIDENCE_MEDIA_TYPES.jpeg]: 'jpg',
  [EVIDENCE_MEDIA_TYPES.png]: 'png',
  [EVIDENCE_MEDIA_TYPES.docx]: 'docx',
  [EVIDENCE_MEDIA_TYPES.xlsx]: 'xlsx',
  [EVIDENCE_MEDIA_TYPES.doc]: 'doc',
  [EVIDENCE_MEDIA_TYPES.xls]: 'xls',
  [EVIDENCE_MEDIA_TYPES.ofd]: 'ofd',
  [EVIDENCE_MEDIA_TYPES.zip]: 'zip',
};

const FILE_ID = /^[0-9a-fA-F]{64}$/;

/** One file in the field `file`, in memory, cut off past the evidence size limit. */
const EvidenceUpload = singleFileUpload(
  { maxBytes: EVIDENCE_LIMITS.maxBytes, fields: 20, fieldSize: 64 * 1024 },
  {
    tooLarge: () =>
      new ApiError(413, 'EVIDENCE_TOO_LARGE', `文件超过 ${MAX_MB} MB 上限`, {
        maxBytes: EVIDENCE_LIMITS.maxBytes,
      }),
    tooManyFiles: () => new ApiError(400, 'EVIDENCE_TOO_MANY_FILES', '一次只能上传一个文件'),
    missing: () => new ApiError(400, 'EVIDENCE_MISSING', '请在 file 字段中上传文件'),
    notMultipart: () => new ApiError(415, 'EVIDENCE_NOT_MULTIPART', '请以 multipart/form-data 格式上传文件'),
  },
);

/**
 * multer decodes the file name in the part header as Latin-1, while browsers send UTF-8 bytes:
 * decode those bytes again as UTF-8. A name that is no valid UTF-8 that way, or already holds
 * characters beyond Latin-1 (sent as RFC 5987 `filename*`), is kept as it is.
 */
export function utf8FileName(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || /[\u0100-\uffff]/.test(name)) return name;
  const decoded = Buffer.from(name, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? name : decoded;
}

/** Evidence files of progress reports (进度填报的佐证材料), named by their content hash. */
@ApiTags('evidence')
@Controller('evidence')
export class EvidenceController {
  constructor(@Inject(EVIDENCE_STORE) private readonly store: EvidenceStore) {}

  @Post()
  @Roles('unitStaff', 'reviewer', 'supervisor', 'assessmentAdmin', 'inspector')
  @UseInterceptors(EvidenceUpload)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiOperation({
    summary: `上传佐证材料：PDF、JPEG、PNG、Word、Excel、OFD 或 ZIP，不超过 ${MAX_MB} MB；返回文件编号（SHA-256）及 SM3 哈希，相同内容只存一份（填报人员、审核人员、督查人员、考核管理员、电子监察的核查材料）`,
  })
  async upload(@UploadedFile() file: UploadedFileData | undefined): Promise<EvidenceRef> {
    if (!file)
      throw new ApiError(400, 'EVIDENCE_MISSING', '未收到文件：请以 multipart/form-data 在 file 字段中上传');
    try {
      return await this.store.put({
        name: utf8FileName(file.originalname),
        mediaType: file.mimetype,
        content: file.buffer,
      });
    } catch (error) {
      if (error instanceof EvidenceRejectedError)
        throw new ApiError(REJECTION_STATUS[error.code], error.code, error.message, error.details);
      throw error;
    }
  }

  @Get(':fileId')
  @Roles('unitStaff', 'reviewer', 'supervisor', 'assessmentAdmin', 'inspector', 'cityLeader', 'auditor')
  @ApiParam({ name: 'fileId', description: '文件编号：内容的 SHA-256（64 位十六进制）' })
  @ApiProduces(...EVIDENCE_LIMITS.mediaTypes)
  @ApiOperation({ summary: '下载佐证材料原件（按文件编号）' })
  async download(
    @Param('fileId') fileId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    if (!FILE_ID.test(fileId))
      throw new ApiError(400, 'INVALID_FILE_ID', '文件编号须为 64 位十六进制的 SHA-256 哈希');
    const id = fileId.toLowerCase();
    const found = await this.store.read(id);
    if (!found) throw new ApiError(404, 'EVIDENCE_NOT_FOUND', '佐证材料不存在');
    const { ref, content } = found;
    // The bytes behind an id never change.
    response.setHeader('ETag', `"${ref.sha256}"`);
    response.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    response.setHeader('X-Content-SM3', ref.sm3);
    return new StreamableFile(content, {
      type: ref.mediaType,
      length: ref.size,
      disposition: `attachment; filename="${id}.${EXTENSIONS[ref.mediaType] ?? 'bin'}"`,
    });
  }
}
