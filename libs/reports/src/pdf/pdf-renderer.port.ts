/** DI token of the {@link PdfRenderer}. */
export const PDF_RENDERER = Symbol('PDF_RENDERER');

/**
 * Renders a self-contained HTML document (styles inline, no script, no external resource) to PDF.
 * The page size and margins come from the document's `@page` rule.
 */
export interface PdfRenderer {
  /** Null when PDFs can be made; otherwise why not (for the 503 and the log), in Chinese. */
  unavailable(): Promise<string | null>;
  /** Throws {@link PdfUnavailableError} when no renderer is available. */
  render(html: string): Promise<Buffer>;
}

/** No PDF renderer here (no Chromium found, or turned off): the API answers 503 PDF_RENDERER_UNAVAILABLE. */
export class PdfUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PdfUnavailableError';
  }
}
