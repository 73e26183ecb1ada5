// The console under test: a broker with its HTTP API in this process and a real headless
// chromium (Debian's, driven by playwright-core), plus screenshots for a reviewer, written to
// tmp/console-screenshots/ at the repository's root (gitignored).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startHttpBroker, type HttpBroker } from '../http/harness.js'

const SCREENSHOTS = join(new URL('../../../../..', import.meta.url).pathname, 'tmp', 'console-screenshots')

export interface ConsoleUnderTest extends HttpBroker {
  browser: Browser
  page: Page
  /** Writes the page as it is now to `<name>.png` in the screenshot folder. */
  shot: (name: string, page?: Page) => Promise<void>
}

export async function launchChromium (): Promise<Browser> {
  return await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] })
}

export async function startConsole (config: Record<string, string> = {}): Promise<ConsoleUnderTest> {
  const http = await startHttpBroker(config)
  let browser: Browser
  try {
    browser = await launchChromium()
  } catch (err) {
    await http.close()
    throw err
  }
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: http.url })
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    ...http,
    browser,
    page,
    shot: async (name, p = page) => { await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }) },
    close: async () => {
      try {
        await browser.close()
      } finally {
        await http.close()
      }
    }
  }
}
