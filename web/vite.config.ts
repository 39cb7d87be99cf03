import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The Rust server listens on this address by default and serves web/dist in production.
const API_ORIGIN = "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: API_ORIGIN, changeOrigin: false },
    },
  },
  preview: {
    host: "127.0.0.1",
  },
  build: {
    outDir: "dist",
    // The content security policy allows only 'self', so no asset may become an inline data: URL.
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app, so a separate chunk stays cached longer.
        codeSplitting: { groups: [{ name: "vendor", test: /node_modules/ }] },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    // A fixed zone with daylight saving time makes local-time conversions in tests repeatable.
    env: { TZ: "America/New_York" },
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
    // Form tests type into many fields, which takes a few seconds on a 2-core CI machine.
    testTimeout: 20_000,
  },
});
