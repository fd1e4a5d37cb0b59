import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
  type Type,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { ApiError } from '../errors/api-error';

/** The part of multer's file object our routes read (memory storage, so the bytes are in `buffer`). */
export interface UploadedFileData {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** How one upload route names its refusals (codes differ per route; the messages are Chinese). */
export interface UploadErrors {
  tooLarge: () => ApiError;
  tooManyFiles: () => ApiError;
  missing: () => ApiError;
  notMultipart: () => ApiError;
}

/**
 * An interceptor for one file in the field `file`, kept in memory and cut off past `maxBytes` while
 * it is still arriving; multer's refusals (too large, malformed multipart, wrong field) become the
 * route's own errors instead of 500s or English messages.
 */
export function singleFileUpload(
  limits: { maxBytes: number; fields: number; fieldSize: number },
  errors: UploadErrors,
): Type<NestInterceptor> {
  const Multer = FileInterceptor('file', {
    limits: { fileSize: limits.maxBytes, files: 1, fields: limits.fields, fieldSize: limits.fieldSize },
  });

  @Injectable()
  class SingleFileUpload implements NestInterceptor {
    private readonly multer: NestInterceptor = new Multer();

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      try {
        return await this.multer.intercept(context, next);
      } catch (error) {
        const cause = (error instanceof HttpException ? error.cause : error) as
          { code?: unknown } | undefined;
        const status = error instanceof HttpException ? error.getStatus() : 400;
        if (status === 413 || cause?.code === 'LIMIT_FILE_SIZE') throw errors.tooLarge();
        if (cause?.code === 'LIMIT_FILE_COUNT') throw errors.tooManyFiles();
        if (cause?.code === 'LIMIT_UNEXPECTED_FILE') throw errors.missing();
        if (status === 415) throw errors.notMultipart();
        throw new ApiError(400, 'MALFORMED_UPLOAD', '上传的内容格式不正确，请重新上传');
      }
    }
  }
  return SingleFileUpload;
}

// ---------------------------------------------------------------------------------------------
// Spreadsheet imports (targets, survey results): one .xlsx of at most 5 MiB

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const XLSX_MAX_BYTES = 5 * 1024 * 1024;
/** An .xlsx file is a ZIP archive: it starts with a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * The upload of an import route: one file in the field `file`, in memory, cut off past 5 MiB while it
 * is still arriving, and described as such in the OpenAPI document. The route checks the file with
 * `uploadedXlsx`.
 */
export function XlsxUpload(): MethodDecorator {
  const upload = singleFileUpload(
    { maxBytes: XLSX_MAX_BYTES, fields: 10, fieldSize: 1024 },
    {
      tooLarge: () =>
        new ApiError(413, 'IMPORT_FILE_TOO_LARGE', '导入文件不能超过 5 MB', { maxBytes: XLSX_MAX_BYTES }),
      tooManyFiles: () => new ApiError(400, 'IMPORT_TOO_MANY_FILES', '一次只能导入一个文件'),
      missing: () => new ApiError(400, 'IMPORT_FILE_MISSING', '请在 file 字段中上传导入文件'),
      notMultipart: () => new ApiError(415, 'IMPORT_NOT_MULTIPART', '请以 multipart/form-data 格式上传文件'),
    },
  );
  return applyDecorators(
    UseInterceptors(upload),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', format: 'binary', description: '.xlsx，不超过 5 MB' } },
      },
    }),
  );
}

/** .xlsx by name (or by media type, for clients that send no name) and by content. */
function isXlsx(file: UploadedFileData): boolean {
  const named = /\.xlsx$/i.test(file.originalname) || file.mimetype === XLSX;
  return named && file.buffer.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC);
}

/** The uploaded file, if there is one and it is an .xlsx workbook; else the route's 400 or 415. */
export function uploadedXlsx(file: UploadedFileData | undefined): UploadedFileData {
  if (!file)
    throw new ApiError(400, 'IMPORT_FILE_MISSING', '未收到文件：请以 multipart/form-data 在 file 字段中上传');
  if (!isXlsx(file))
    throw new ApiError(415, 'IMPORT_NOT_XLSX', '仅支持 .xlsx 格式的 Excel 文件（.xls 请另存为 .xlsx）');
  return file;
}
