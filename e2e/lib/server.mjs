// Starts the release `portal` binary on a free loopback port with a fresh demo database.

import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");
const BINARY_PATH = path.join(REPO_ROOT, "target", "release", "portal");
const WEB_DIR = path.join(REPO_ROOT, "web", "dist");

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LISTENING_LINE = /^Portal listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/m;

/** Signals after which the server must be stopped before this process ends. */
const FATAL_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Starts `portal serve --demo` in a new temporary folder, so `./data/portal.db` is a new SQLite
 * file, and resolves once the server prints its address.
 *
 * The returned handle's `stop()` ends the server and `removeWorkDir()` deletes the folder with
 * the database and `server.log` (the server's stdout and stderr).
 */
export async function startPortal() {
  if (!existsSync(BINARY_PATH)) {
    throw new Error(
      `${BINARY_PATH} is missing. Build it with \`cargo build --release -p portal-server\`.`,
    );
  }
  if (!existsSync(path.join(WEB_DIR, "index.html"))) {
    throw new Error(
      `${WEB_DIR}/index.html is missing. Build the web app with \`npm --prefix web run build\`, then the ` +
        "binary, which compiles the web app in.",
    );
  }

  const workDir = await mkdtemp(path.join(os.tmpdir(), "portal-e2e-"));
  const logPath = path.join(workDir, "server.log");
  const log = createWriteStream(logPath);
  // Standard error alone is the server's log; standard output contains the demo banner, which
  // prints the demo passwords on purpose.
  const errorLogPath = path.join(workDir, "server-stderr.log");
  const errorLog = createWriteStream(errorLogPath);

  const child = spawn(BINARY_PATH, ["serve", "--demo", "--bind", "127.0.0.1:0"], {
    cwd: workDir,
    env: serverEnvironment(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Node may emit "error" without "exit" when the process cannot start, so either settles this.
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });

  // The exit handler can only run synchronous code, so it sends SIGKILL and does not wait.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
    }
  };
  const stopOnSignal = (signal) => {
    killOnExit();
    process.exit(128 + os.constants.signals[signal]);
  };
  process.on("exit", killOnExit);
  for (const signal of FATAL_SIGNALS) {
    process.on(signal, stopOnSignal);
  }

  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.stderr.pipe(errorLog, { end: false });

  const readLog = () => readFile(logPath, "utf8").catch((error) => `(reading ${logPath} failed: ${error.message})`);
  const readErrorLog = () => readFile(errorLogPath, "utf8");

  let baseUrl;
  try {
    baseUrl = await waitForAddress(child, exited);
  } catch (error) {
    killOnExit();
    await exited;
    throw new Error(`${error.message}\n--- server output ---\n${await readLog()}`);
  }

  return {
    baseUrl,
    logPath,
    readLog,
    /** Resolves with what the server has written to standard error so far: its log. */
    readErrorLog,

    /** Sends SIGTERM, waits for a graceful stop, then sends SIGKILL if the server is still running. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(killOnExit, STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", killOnExit);
      for (const signal of FATAL_SIGNALS) {
        process.off(signal, stopOnSignal);
      }
      await new Promise((resolve) => log.end(resolve));
      await new Promise((resolve) => errorLog.end(resolve));
    },

    async removeWorkDir() {
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Returns this process's environment without any `PORTAL_` variable, so the server runs on its
 * defaults (UTC clinic time zone, development mode, the web app compiled into the binary), plus
 * JSON logs with debug lines and `NO_COLOR`.
 */
function serverEnvironment() {
  const environment = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("PORTAL_")) {
      environment[name] = value;
    }
  }
  // The production log format, with the portal's own debug lines, so the scenario's check for
  // health data in the log covers every line the portal can write.
  environment.PORTAL_LOG_FORMAT = "json";
  environment.RUST_LOG = "info,portal_server=debug,portal_core=debug,sqlx=warn,mongodb=warn";
  // Plain log lines without ANSI colour codes, because the log is read from a file.
  environment.NO_COLOR = "1";
  return environment;
}

/** Resolves with the base URL from the server's `Portal listening on …` line. */
function waitForAddress(child, exited) {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      finish(new Error(`the server did not print "Portal listening on" within ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);

    const onData = (chunk) => {
      output += chunk.toString("utf8");
      const match = LISTENING_LINE.exec(output);
      if (match !== null) {
        finish(null, match[1]);
      }
    };
    const onError = (error) => finish(new Error(`starting ${BINARY_PATH} failed: ${error.message}`));

    function finish(error, url) {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.off("error", onError);
      if (error === null) {
        resolve(url);
      } else {
        reject(error);
      }
    }

    child.stdout.on("data", onData);
    child.once("error", onError);
    exited.then(({ code, signal }) => {
      finish(new Error(`the server exited before listening (exit code ${code}, signal ${signal})`));
    });
  });
}
