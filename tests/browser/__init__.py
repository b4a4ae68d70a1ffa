"""Browser tests: headless chromium driven by Playwright against the live server."""
