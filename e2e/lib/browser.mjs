// Launches Debian's Chromium through playwright-core and opens pages that watch for problems.

import { chromium } from "playwright-core";

/** Playwright's own browser download does not work here, so the tests drive the system Chromium. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Time limit of one Playwright action or navigation, in milliseconds. */
export const ACTION_TIMEOUT_MS = 15_000;

/** Browser time zone. It is not UTC, so a wrong conversion between local time and UTC shows up. */
export const BROWSER_TIME_ZONE = "America/Chicago";

export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens a page in a new browser context (its own cookies and storage) against the portal.
 *
 * `problems` collects what must never happen on a portal page: uncaught script errors,
 * content security policy violations, Permissions-Policy header errors, and requests to any
 * origin but the portal's own, which are aborted before they leave the browser.
 * `accessTokens` collects the access tokens of the page's sign-ins and renewals.
 */
export async function openPortalPage(browser, baseUrl, { phone }) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: phone ? PHONE_VIEWPORT : DESKTOP_VIEWPORT,
    isMobile: phone,
    hasTouch: phone,
    locale: "en-US",
    timezoneId: BROWSER_TIME_ZONE,
    serviceWorkers: "block",
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);

  const problems = [];
  const portalOrigin = new URL(baseUrl).origin;
  const isOtherOrigin = (url) => ["http:", "https:"].includes(url.protocol) && url.origin !== portalOrigin;
  await context.route(isOtherOrigin, async (route) => {
    problems.push(`request to another origin, blocked: ${route.request().url()}`);
    await route.abort("blockedbyclient");
  });

  // Chromium may report a violation in DevTools' Issues panel without a console message, so
  // every `securitypolicyviolation` event is also written to the console. The script is
  // injected through the DevTools protocol, which the policy does not restrict.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `Content Security Policy violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}` +
          ` at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });

  const page = await context.newPage();
  page.on("pageerror", (error) => {
    problems.push(`uncaught error in the page: ${error.message}`);
  });
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && /Content Security Policy/i.test(text)) {
      problems.push(`content security policy violation: ${text}`);
    }
    // Chromium logs an unknown feature name in the header as a warning.
    if (["error", "warning"].includes(message.type()) && /Permissions-Policy/i.test(text)) {
      problems.push(`invalid Permissions-Policy header: ${text}`);
    }
  });

  // Every access token the portal hands this page, so the scenario can check that none of
  // them reaches the server's log.
  const accessTokens = [];
  page.on("response", async (response) => {
    if (response.request().method() !== "POST" || !new URL(response.url()).pathname.startsWith("/api/v1/auth/")) {
      return;
    }
    const body = await response.json().catch(() => null);
    if (typeof body?.accessToken === "string") {
      accessTokens.push(body.accessToken);
    }
  });

  return { context, page, problems, accessTokens };
}
