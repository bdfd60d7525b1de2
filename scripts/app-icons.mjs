// Renders the installable apps' PNG icons (web/public/icon-192.png, icon-512.png and
// icon-maskable-512.png) from web/public/icon.svg in Debian's Chromium, as the manifests list
// them: installers and launchers that do not take the SVG (Android's WebAPK, older Chromium,
// store listings) want PNGs of 192 and 512 px, and a launcher crops a "maskable" one to its own
// shape. Run once when the SVG changes; the PNGs are committed.
//
//   node scripts/app-icons.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('web/public/icon.svg', 'utf8');
// Maskable: the background fills the square (the launcher rounds or circles it) and the mark
// is drawn at 80 % about the centre, inside the safe zone (a circle of 40 % of the width).
const maskable = svg
  .replace('rx="96" ', '')
  .replace(
    /(<rect x=[\s\S]*\/>)(\s*<\/svg>)/,
    '<g transform="translate(51.2 51.2) scale(0.8)">$1</g>$2',
  );
if (maskable === svg) throw new Error('icon.svg changed shape: update the maskable rewrite');

const icons = [
  { file: 'icon-192.png', size: 192, source: svg },
  { file: 'icon-512.png', size: 512, source: svg },
  { file: 'icon-maskable-512.png', size: 512, source: maskable },
];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  for (const icon of icons) {
    const page = await browser.newPage({
      viewport: { width: icon.size, height: icon.size },
      deviceScaleFactor: 1,
    });
    const sized = icon.source.replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `);
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${sized}</body></html>`,
    );
    const png = await page.screenshot({ omitBackground: true, type: 'png' });
    writeFileSync(`web/public/${icon.file}`, png);
    await page.close();
  }
} finally {
  await browser.close();
}
