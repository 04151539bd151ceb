import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// What the browser tests share: the system's Chromium, and where their screenshots go.

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, '../../test-output/browser');

/** Headless Chromium; fails here, naming the package, when it is missing (CI installs it with apt). */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  }).catch((error: Error) => {
    throw new Error(`cannot start Chromium at ${CHROMIUM} (apt-get install -y chromium): ${error.message}`);
  });
}

/** A full-page screenshot in test-output/browser/. */
export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
