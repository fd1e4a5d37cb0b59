import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { type Browser, launch } from 'puppeteer-core';
import { type PdfRenderer, PdfUnavailableError } from './pdf-renderer.port';

/** The executables looked for on PATH when CHROMIUM_PATH is unset (Debian's package is `chromium`). */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser'] as const;

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Where Chromium is: the configured path (when executable), else the first of {@link CHROMIUM_NAMES}
 * on `PATH`; null when there is none, or when the setting is `off`.
 */
export function findChromium(
  configured: string | null,
  path: string = process.env.PATH ?? '',
  isExecutable: (file: string) => boolean = executable,
): string | null {
  if (configured === 'off') return null;
  if (configured !== null) return isExecutable(configured) ? configured : null;
  for (const name of CHROMIUM_NAMES)
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const file = join(dir, name);
      if (isExecutable(file)) return file;
    }
  return null;
}

/** How long one PDF may take before it is abandoned (a big report renders in a few seconds). */
const RENDER_TIMEOUT_MS = 60_000;

/**
 * PDFs from headless Chromium (Debian's package) driven by puppeteer-core, which downloads nothing.
 * One browser is started on first use and kept; each document gets its own page, closed after. The
 * HTML is set as the page's content with JavaScript off and every network request refused, so a
 * document can neither run script nor fetch anything. Chinese text needs a CJK font installed
 * (Debian's fonts-noto-cjk); the documents name Noto CJK first.
 */
export class ChromiumPdfRenderer implements PdfRenderer {
  private readonly logger = new Logger('PdfRenderer');
  private browser: Promise<Browser> | null = null;

  constructor(private readonly configured: string | null) {}

  /** The executable in use, or null. */
  executablePath(): string | null {
    return findChromium(this.configured);
  }

  async unavailable(): Promise<string | null> {
    if (this.configured === 'off') return '已关闭 PDF 生成（CHROMIUM_PATH=off）';
    if (this.executablePath() !== null) return null;
    return this.configured === null
      ? '服务器未安装 Chromium（PATH 中未找到 chromium 或 chromium-browser），无法生成 PDF'
      : `CHROMIUM_PATH 指向的程序不存在或不可执行：${this.configured}`;
  }

  async render(html: string): Promise<Buffer> {
    const reason = await this.unavailable();
    if (reason !== null) throw new PdfUnavailableError(reason);
    const browser = await this.launch();
    const page = await browser.newPage();
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.url().startsWith('data:') || request.url() === 'about:blank') void request.continue();
        else void request.abort();
      });
      await page.setContent(html, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS });
      const pdf = await page.pdf({
        preferCSSPageSize: true,
        printBackground: true,
        timeout: RENDER_TIMEOUT_MS,
      });
      return Buffer.from(pdf);
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (browser) await (await browser.catch(() => null))?.close().catch(() => undefined);
  }

  private launch(): Promise<Browser> {
    if (this.browser) return this.browser;
    const executablePath = this.executablePath()!;
    const started = launch({
      executablePath,
      headless: true,
      // The sandbox needs user namespaces, which containers and root usually lack; the page runs no
      // script and loads nothing from outside (see render), so it holds only our own markup.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
    });
    this.browser = started;
    started.then(
      (browser) => {
        this.logger.log(`Chromium started for PDF reports: ${executablePath}`);
        browser.on('disconnected', () => {
          if (this.browser === started) this.browser = null;
        });
      },
      (error: unknown) => {
        this.logger.error(`Chromium could not start (${executablePath}): ${String(error)}`);
        if (this.browser === started) this.browser = null;
      },
    );
    return started;
  }
}
