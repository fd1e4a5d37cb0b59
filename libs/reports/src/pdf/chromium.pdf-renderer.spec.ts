import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performanceReport, performanceReportHtml } from '../performance/performance-report';
import { JUNE, MARCH } from '../testing/report.fixtures';
import { ChromiumPdfRenderer, findChromium } from './chromium.pdf-renderer';
import { PdfUnavailableError } from './pdf-renderer.port';

describe('findChromium', () => {
  const on =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it('takes the configured path when it is executable, and nothing else', () => {
    expect(
      findChromium('/opt/chrome/chrome', '/usr/bin', on('/opt/chrome/chrome', '/usr/bin/chromium')),
    ).toBe('/opt/chrome/chrome');
    expect(findChromium('/opt/missing', '/usr/bin', on('/usr/bin/chromium'))).toBeNull();
  });

  it('looks for chromium, then chromium-browser, along PATH when nothing is configured', () => {
    expect(findChromium(null, '/a:/b', on('/b/chromium', '/a/chromium-browser'))).toBe('/b/chromium');
    expect(findChromium(null, '/a:/b', on('/b/chromium-browser'))).toBe('/b/chromium-browser');
    expect(findChromium(null, '/a:/b', on())).toBeNull();
  });

  it('finds none when turned off', () => {
    expect(findChromium('off', '/usr/bin', on('/usr/bin/chromium'))).toBeNull();
  });
});

describe('ChromiumPdfRenderer without Chromium', () => {
  it('says why in Chinese and refuses to render', async () => {
    const off = new ChromiumPdfRenderer('off');
    expect(await off.unavailable()).toContain('CHROMIUM_PATH=off');
    await expect(off.render('<p>x</p>')).rejects.toBeInstanceOf(PdfUnavailableError);
    const missing = new ChromiumPdfRenderer('/nonexistent/chromium');
    expect(await missing.unavailable()).toContain('不存在或不可执行');
  });
});

const chromium = findChromium(process.env.CHROMIUM_PATH || null);
const hasPoppler = (() => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The first page of a PDF as 8-bit grey pixels at 40 dpi (pdftoppm's PGM, header stripped). */
function grey(pdf: string): Buffer {
  const pgm = execFileSync('pdftoppm', ['-r', '40', '-gray', '-f', '1', '-l', '1', pdf]);
  const [magic, width, height] = pgm.subarray(0, 20).toString('latin1').split(/\s+/);
  expect(magic).toBe('P5');
  return pgm.subarray(pgm.length - Number(width) * Number(height));
}

if (chromium && hasPoppler) {
  // Starting Chromium and printing takes a few seconds.
  jest.setTimeout(60_000);

  describe('report rendering produces files that open (Chromium, poppler-utils)', () => {
    const renderer = new ChromiumPdfRenderer(chromium);
    const dir = mkdtempSync(join(tmpdir(), 'dukao-pdf-'));
    let pdfFile: string;
    afterAll(async () => {
      await renderer.close();
      rmSync(dir, { recursive: true, force: true });
    });

    beforeAll(async () => {
      const html = performanceReportHtml(
        performanceReport({
          cycleId: '2026',
          cycleName: '2026年度绩效考核',
          month: '2026-06',
          generatedAt: '2026-07-10T02:00:00.000Z',
          categories: ['towns', 'departments'],
          rankings: [JUNE, MARCH],
          warnings: [],
          targetTitles: new Map(),
          notices: [],
          unitNames: new Map(),
          visible: () => true,
        }),
      );
      const pdf = await renderer.render(html);
      pdfFile = join(dir, 'report.pdf');
      writeFileSync(pdfFile, pdf);
    });

    it('is a PDF whose pages render to PNG images that are not blank', () => {
      expect(readFileSync(pdfFile).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      execFileSync('pdftoppm', ['-r', '40', '-png', pdfFile, join(dir, 'page')]);
      const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'));
      expect(pngs.length).toBeGreaterThanOrEqual(1);
      for (const png of pngs) {
        const bytes = readFileSync(join(dir, png));
        expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
        // IHDR: width and height (A4 landscape at 40 dpi: about 468 × 331).
        expect(bytes.readUInt32BE(16)).toBeGreaterThan(300);
        expect(bytes.readUInt32BE(20)).toBeGreaterThan(200);
      }
      // The same first page as raw grey pixels: a blank page is one colour; a report has ink.
      const pixels = grey(pdfFile);
      const dark = pixels.filter((p) => p < 128).length;
      expect(dark).toBeGreaterThan(pixels.length * 0.005);
      expect(dark).toBeLessThan(pixels.length * 0.5);
    });

    it('has its Chinese text as text (pdftotext finds the headings)', () => {
      const text = execFileSync('pdftotext', ['-layout', pdfFile, '-']).toString('utf8');
      expect(text).toContain('绩效评估报告');
      expect(text).toContain('区镇排名');
      expect(text).toContain('甲镇');
    });

    it('draws different Chinese characters as different glyphs (a CJK font, not empty boxes)', async () => {
      // Without a CJK font every character is the same "tofu" box: the two pages would be identical.
      const page = async (text: string) => {
        const file = join(dir, `${text.length}-${Buffer.from(text).toString('hex').slice(0, 8)}.pdf`);
        writeFileSync(
          file,
          await renderer.render(
            `<!doctype html><meta charset="utf-8"><style>@page{size:A6;margin:5mm}</style><p style="font-family:'Noto Sans CJK SC';font-size:40pt">${text}</p>`,
          ),
        );
        return grey(file);
      };
      const a = await page('绩效评估');
      const b = await page('督查通报');
      expect(a.some((p) => p < 128)).toBe(true);
      expect(b.some((p) => p < 128)).toBe(true);
      expect(Buffer.compare(a, b)).not.toBe(0);
    });
  });
} else {
  console.log(
    `skipped: no chromium — PDF rendering tests need ${chromium ? 'poppler-utils' : 'chromium'} ` +
      '(apt-get install -y chromium fonts-noto-cjk poppler-utils; CI installs them)',
  );
  if (process.env.CI)
    throw new Error(
      'CI must run the PDF rendering tests: install chromium, fonts-noto-cjk and poppler-utils',
    );
}
