import { act, fireEvent, screen } from "@testing-library/react";
import { getSessionSnapshot } from "@/lib/session/sessionStore";
import { IDLE_LIMIT_MINUTES, IDLE_SIGN_OUT_NOTICE } from "@/app/IdleTimeout";
import { PATIENT } from "@/test/fixtures";
import { installFetch } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const MINUTE_MS = 60_000;

describe("IdleTimeout", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("warns two minutes before signing out", async () => {
    installFetch({});
    renderApp("/account", PATIENT);

    await act(async () => {
      await vi.advanceTimersByTimeAsync((IDLE_LIMIT_MINUTES - 3) * MINUTE_MS);
    });
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

    await act(async () => {
      await vi.advanceTimersByTimeAsync(1.5 * MINUTE_MS);
    });
    expect(screen.getByRole("alertdialog", { name: "Are you still there?" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Stay signed in" })).toHaveFocus();
  });

  it("keeps the session when the person stays", async () => {
    installFetch({});
    renderApp("/account", PATIENT);
    await act(async () => {
      await vi.advanceTimersByTimeAsync((IDLE_LIMIT_MINUTES - 1) * MINUTE_MS);
    });

    fireEvent.click(screen.getByRole("button", { name: "Stay signed in" }));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5 * MINUTE_MS);
    });

    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(getSessionSnapshot().status).toBe("signedIn");
  });

  it("signs out after the idle limit", async () => {
    const fetch = installFetch({ "POST /api/v1/auth/logout": () => new Response(null, { status: 204 }) });
    renderApp("/account", PATIENT);

    await act(async () => {
      await vi.advanceTimersByTimeAsync((IDLE_LIMIT_MINUTES + 0.5) * MINUTE_MS);
    });

    expect(fetch.requestsTo("POST /api/v1/auth/logout")).toHaveLength(1);
    expect(getSessionSnapshot().status).toBe("signedOut");
    expect(getSessionSnapshot().notice).toBe(IDLE_SIGN_OUT_NOTICE);
    expect(screen.getByText(IDLE_SIGN_OUT_NOTICE)).toBeInTheDocument();
  });
});
