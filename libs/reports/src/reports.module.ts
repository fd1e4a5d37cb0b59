import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AuditModule } from '@dukao/audit';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { ChromiumPdfRenderer } from './pdf/chromium.pdf-renderer';
import { PDF_RENDERER, type PdfRenderer } from './pdf/pdf-renderer.port';

/**
 * Reports and exports: the renderers are pure functions (import them from `@dukao/reports`); this
 * module provides the PDF renderer (headless Chromium, `CHROMIUM_PATH`), closes its browser at
 * shutdown, and brings the audit context's read recorder.
 */
@Module({
  // The audit export records each export as a read (AuditReadRecorder).
  imports: [AuditModule],
  providers: [
    {
      provide: PDF_RENDERER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ChromiumPdfRenderer(config.chromiumPath),
    },
  ],
  exports: [PDF_RENDERER, AuditModule],
})
export class ReportsModule implements OnApplicationShutdown {
  constructor(@Inject(PDF_RENDERER) private readonly pdf: PdfRenderer) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.pdf instanceof ChromiumPdfRenderer) await this.pdf.close();
  }
}
