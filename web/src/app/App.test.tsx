import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { getSessionSnapshot } from "@/lib/session/sessionStore";
import { PATIENT, PROVIDER, sessionFor } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";
import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { App } from "@/app/App";
import { routes } from "@/app/routes";

const DASHBOARD = {
  firstName: "Ana",
  upcomingAppointments: [],
  reminders: [{ id: "flu_vaccine", kind: "flu_vaccine", title: "Get a flu shot", detail: "Everyone over 6 months needs one each year." }],
  tipOfTheDay: { ageGroup: "adult", title: "Move more", body: "Walk for 30 minutes a day." },
};

async function signIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Email"), "someone@example.test");
  await user.type(screen.getByLabelText("Password"), "correct horse");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("App", () => {
  it("sends patient to dashboard after sign-in", async () => {
    installFetch({
      "POST /api/v1/auth/login": () => jsonResponse(200, sessionFor(PATIENT)),
      "GET /api/v1/patient/dashboard": () => jsonResponse(200, DASHBOARD),
    });
    const user = userEvent.setup();
    const { router } = renderApp("/signin", null);

    await signIn(user);

    expect(await screen.findByRole("heading", { level: 1, name: "Hello, Ana" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/dashboard");
    expect(await screen.findByText("Get a flu shot")).toBeInTheDocument();
    expect(screen.getByText("Everyone over 6 months needs one each year.")).toBeInTheDocument();
    expect(screen.getByText("For: Adults (40 to 64)")).toBeInTheDocument();
    expect(screen.getByText("Ana Lopez")).toBeInTheDocument();
    expect(screen.getByText("Patient")).toBeInTheDocument();
  });

  it("sends provider to patient list after sign-in", async () => {
    installFetch({
      "POST /api/v1/auth/login": () => jsonResponse(200, sessionFor(PROVIDER)),
      "GET /api/v1/provider/patients": () => jsonResponse(200, { items: [], page: 1, limit: 25, total: 0 }),
    });
    const user = userEvent.setup();
    const { router } = renderApp("/signin", null);

    await signIn(user);

    expect(await screen.findByRole("heading", { level: 1, name: "Patients" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/provider/patients");
  });

  it("shows one message for a failed sign-in", async () => {
    installFetch({ "POST /api/v1/auth/login": () => problemResponse(401, [], "Invalid credentials") });
    const user = userEvent.setup();
    renderApp("/signin", null);

    await signIn(user);

    expect(await screen.findByText(/The email or password is not correct/)).toBeInTheDocument();
  });

  it("redirects signed-out visitor to sign-in", async () => {
    installFetch({});
    const { router } = renderApp("/profile", null);

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/signin");
  });

  it("keeps provider out of patient pages", async () => {
    installFetch({ "GET /api/v1/provider/patients": () => jsonResponse(200, { items: [], page: 1, limit: 25, total: 0 }) });
    const { router } = renderApp("/dashboard", PROVIDER);

    expect(await screen.findByRole("heading", { level: 1, name: "Patients" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/provider/patients");
  });

  it("signs out to the sign-in page", async () => {
    const fetch = installFetch({
      "GET /api/v1/patient/dashboard": () => jsonResponse(200, DASHBOARD),
      "POST /api/v1/auth/logout": () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    const { router } = renderApp("/dashboard", PATIENT);
    await screen.findByText("Get a flu shot");

    await user.click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/signin");
    expect(fetch.requestsTo("POST /api/v1/auth/logout")[0]?.headers.get("Authorization")).toBe("Bearer token-1");
    expect(getSessionSnapshot().user).toBeNull();
    expect(screen.queryByText("Get a flu shot")).not.toBeInTheDocument();
  });

  it("ends expired session with a message", async () => {
    installFetch({
      "GET /api/v1/patient/dashboard": () => problemResponse(401),
      "POST /api/v1/auth/refresh": () => problemResponse(401),
    });
    renderApp("/dashboard", PATIENT);

    expect(await screen.findByText("Your session ended. Please sign in again.")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
  });

  it("restores session from refresh cookie", async () => {
    const fetch = installFetch({
      "POST /api/v1/auth/refresh": () => jsonResponse(200, sessionFor(PATIENT)),
      "GET /api/v1/patient/dashboard": () => jsonResponse(200, DASHBOARD),
    });
    const router = createMemoryRouter(routes, { initialEntries: ["/dashboard"] });
    render(<App queryClient={new QueryClient()} router={router} />);

    expect(await screen.findByRole("heading", { level: 1, name: "Hello, Ana" })).toBeInTheDocument();
    const refresh = fetch.requestsTo("POST /api/v1/auth/refresh");
    expect(refresh).toHaveLength(1);
    expect(refresh[0]?.headers.get("X-Requested-With")).toBe("portal");
  });

  it("starts signed out when refresh fails", async () => {
    installFetch({ "POST /api/v1/auth/refresh": () => problemResponse(401) });
    const router = createMemoryRouter(routes, { initialEntries: ["/appointments"] });
    render(<App queryClient={new QueryClient()} router={router} />);

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await waitFor(() => {
      expect(getSessionSnapshot().status).toBe("signedOut");
    });
    expect(screen.queryByText(/Your session ended/)).not.toBeInTheDocument();
  });

  it("renders skip link and footer links", () => {
    installFetch({});
    renderApp("/", null);

    expect(screen.getByRole("link", { name: "Skip to main content" })).toHaveAttribute("href", "#main");
    expect(screen.getByRole("link", { name: "Health information" })).toHaveAttribute("href", "/health");
    expect(screen.getAllByRole("link", { name: "Privacy policy" })[0]).toHaveAttribute("href", "/privacy");
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
  });
});
