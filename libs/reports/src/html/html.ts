/** Text made safe for HTML element content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A number for a report cell: up to two decimals, no trailing zeros; null as a dash. */
export function num(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const factor = 10 ** digits;
  return String(Math.round(value * factor) / factor);
}

/** A signed difference: +1.5, −2, 0. */
export function signed(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = num(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : '0';
}

export type Cell = string | number | { html: string };

/** A table: header cells, body rows (cells escaped unless given as `{ html }`), optional footer row. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly Cell[]>,
  options: { footer?: readonly Cell[]; className?: string; empty?: string } = {},
): string {
  const cell = (value: Cell, tag: 'td' | 'th') =>
    `<${tag}>${typeof value === 'object' ? value.html : escapeHtml(String(value))}</${tag}>`;
  const body =
    rows.length === 0
      ? `<tr><td colspan="${header.length}" class="empty">${escapeHtml(options.empty ?? '无')}</td></tr>`
      : rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('\n');
  const footer = options.footer
    ? `<tfoot><tr>${options.footer.map((v) => cell(v, 'td')).join('')}</tr></tfoot>`
    : '';
  return `<table${options.className ? ` class="${options.className}"` : ''}>
<thead><tr>${header.map((h) => cell(h, 'th')).join('')}</tr></thead>
<tbody>
${body}
</tbody>${footer}
</table>`;
}

/**
 * A whole printable document (A4), self-contained: styles inline, charts as inline SVG, no script.
 * The font list names the Noto CJK fonts first (Debian's fonts-noto-cjk, what the PDF renderer has),
 * then common Chinese fonts of office machines.
 */
export function htmlDocument(args: {
  title: string;
  body: string;
  landscape?: boolean;
  /** Shown under the title: when and from what the document was made. */
  subtitle?: string;
}): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escapeHtml(args.title)}</title>
<style>
@page { size: A4${args.landscape ? ' landscape' : ''}; margin: 14mm 12mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "SimSun", "Songti SC", serif; font-size: 10.5pt; color: #000; margin: 0; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; }
h3 { font-size: 11pt; margin: 10pt 0 4pt; }
p.subtitle { text-align: center; color: #333; margin: 0 0 10pt; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2pt 4pt; text-align: center; }
th { background: #eee; }
td.empty { color: #666; }
tfoot td { font-weight: bold; }
.red { color: #c00; font-weight: bold; }
.chart { margin: 4pt 0 8pt; }
.note { color: #333; font-size: 9pt; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2pt 10pt; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
pre { white-space: pre-wrap; word-break: break-all; font-size: 8.5pt; margin: 0; text-align: left; }
</style>
</head>
<body>
<h1>${escapeHtml(args.title)}</h1>
${args.subtitle ? `<p class="subtitle">${escapeHtml(args.subtitle)}</p>\n` : ''}${args.body}
</body>
</html>
`;
}
