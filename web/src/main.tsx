// Must stay the first import: it configures zod before any schema module is evaluated.
import "@/lib/zodConfig";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { App } from "@/app/App";
import { createQueryClient } from "@/app/queryClient";
import { routes } from "@/app/routes";
import "@/styles/base.css";
import "@/styles/layout.css";
import "@/styles/components.css";

const container = document.getElementById("root");
if (container === null) {
  throw new Error("index.html must contain an element with id 'root'");
}

createRoot(container).render(
  <StrictMode>
    <App queryClient={createQueryClient()} router={createBrowserRouter(routes)} />
  </StrictMode>,
);
