import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { App } from "@/app/App";
import { routes } from "@/app/routes";
import type { User } from "@/lib/schemas/user";
import { endSession, startSession } from "@/lib/session/sessionStore";
import { sessionFor } from "@/test/fixtures";

/**
 * Renders the whole app at `path`, signed in as `user` or signed out when it is null.
 *
 * Starting in a known session state skips the refresh call the app makes on a cold start.
 */
export function renderApp(path: string, user: User | null) {
  if (user === null) {
    endSession();
  } else {
    startSession(sessionFor(user));
  }
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(<App queryClient={queryClient} router={router} />);
  return { ...view, router, queryClient };
}
