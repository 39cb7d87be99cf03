// Runs axe-core in a page and fails on serious or critical accessibility violations.

import assert from "node:assert/strict";
import axe from "axe-core";

const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

/** Maximum number of element selectors listed per rule in a failure message. */
const MAX_TARGETS_PER_RULE = 10;

/**
 * Returns axe's violations for the page as plain objects.
 *
 * The script is evaluated through the DevTools protocol rather than added as a `<script>` tag,
 * because the portal's content security policy (`script-src 'self'`) blocks inline scripts.
 */
export async function runAxe(page) {
  const loaded = await page.evaluate(() => typeof window.axe === "object");
  if (!loaded) {
    await page.evaluate(axe.source);
  }
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.flat().join(" >>> ")),
    }));
  });
}

/** Asserts that axe finds no violation of impact `serious` or `critical` on the page. */
export async function assertNoSeriousAxeViolations(page, pageName) {
  const violations = (await runAxe(page)).filter((violation) => BLOCKING_IMPACTS.has(violation.impact));
  if (violations.length > 0) {
    assert.fail(describeViolations(violations, pageName, page.url()));
  }
}

function describeViolations(violations, pageName, url) {
  const lines = [`axe found ${violations.length} serious or critical violation(s) on the ${pageName} page (${url}):`];
  for (const violation of violations) {
    lines.push(`- ${violation.id} (${violation.impact}): ${violation.help}`);
    for (const target of violation.targets.slice(0, MAX_TARGETS_PER_RULE)) {
      lines.push(`    ${target}`);
    }
    const hidden = violation.targets.length - MAX_TARGETS_PER_RULE;
    if (hidden > 0) {
      lines.push(`    … and ${hidden} more`);
    }
  }
  return lines.join("\n");
}
