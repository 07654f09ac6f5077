import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/lib/chromium.ts';

// Browser tests drive the production build (`vite build`) in Debian's
// Chromium. Global setup starts a fresh Synapse and the web server on free
// loopback ports; Playwright never downloads a browser of its own.
export default defineConfig({
	testDir: 'tests/e2e',
	globalSetup: './tests/e2e/support/global-setup.ts',
	// Two cores run Synapse, the web server and two browser contexts with Rust
	// crypto each: one test at a time is faster than contention.
	workers: 1,
	fullyParallel: false,
	timeout: 120_000,
	expect: { timeout: 20_000 },
	forbidOnly: !!process.env.CI,
	retries: 0,
	reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
	use: {
		browserName: 'chromium',
		launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure'
	}
});
