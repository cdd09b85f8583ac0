/**
 * The deployment report in a real browser: headless Chromium from the OS packages
 * (`scripts/ensure-chromium.sh`, run by `npm test`'s pretest) opens the page of a rolled-back
 * deployment with analysis windows. It must load without a console error or a page error,
 * draw its charts with their data points, and paint a screenshot that is not blank.
 * `REPORT_SCREENSHOT=file.png` keeps the screenshot to look at.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { type Browser, chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { renderReport } from '../../src/ui/report.js';
import { rolledBackReport } from './event-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';

describe('deployment report: rendered in headless Chromium', function () {
  this.timeout(20_000);
  let browser: Browser | undefined;
  let dir: string;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` as root (npm test's pretest does), or apt-get install chromium`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console or page error, draws its charts with points, and is not blank', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReport(rolledBackReport()));
    const page = await (browser as Browser).newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    // traffic, health, error rate, latency
    expect(await page.locator('svg.chart').count()).to.equal(4);
    const pointsIn = (section: string) => page.locator(`#${section} svg.chart .point`).count();
    expect(await pointsIn('traffic'), 'observed shares').to.equal(4);
    expect(await pointsIn('health'), 'health observations').to.equal(15);
    expect(await pointsIn('analysis'), 'windows of both releases on two charts').to.equal(16);
    expect(await page.locator('#traffic path.declared').count()).to.equal(1);
    const box = await page.locator('#traffic svg.chart').boundingBox();
    expect(box?.width ?? 0, 'the chart is laid out at the page width').to.be.greaterThan(600);
    expect(await page.locator('.banner').textContent())
      .to.contain('Rolled back')
      .and.contain('error_rate 19.8 %');
    expect(await page.locator('table.windows tbody tr').count()).to.equal(4);

    const png = await page.screenshot({ fullPage: true });
    if (process.env.REPORT_SCREENSHOT) writeFileSync(process.env.REPORT_SCREENSHOT, png);
    const { colours, inked, total } = pixelStats(PNG.sync.read(png));
    expect(colours, 'distinct colours in the screenshot').to.be.greaterThan(64);
    expect(inked / total, 'share of non-white pixels').to.be.greaterThan(0.05);
    expect(problems).to.deep.equal([]);
    expect(requests, 'requests beyond the file itself').to.deep.equal([]);
  });
});

/** How many distinct colours, and how many pixels are not (near) white. */
function pixelStats(image: PNG): { colours: number; inked: number; total: number } {
  const seen = new Set<number>();
  let inked = 0;
  const { data } = image;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i] ?? 0;
    const g = data[i + 1] ?? 0;
    const b = data[i + 2] ?? 0;
    seen.add((r << 16) | (g << 8) | b);
    if (r < 235 || g < 235 || b < 235) inked += 1;
  }
  return { colours: seen.size, inked, total: data.length / 4 };
}
