import { act, fireEvent, screen, within } from "@testing-library/react";
import {
  getSessionSnapshot,
  idleSignOutNotice,
  SIGNED_OUT_NOTICE,
  startSession,
} from "@/lib/session/sessionStore";
import { PATIENT, sessionFor } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const MINUTE_MS = 60_000;
/** The fixture session's idle timeout. */
const IDLE_MINUTES = 15;
const REFRESH = "POST /api/v1/auth/refresh";
const LOGOUT = "POST /api/v1/auth/logout";

/** Returns a renewed session. The app also renews on its own two minutes before the idle limit. */
const renewed = () => jsonResponse(200, sessionFor(PATIENT));

async function advance(minutes: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(minutes * MINUTE_MS);
  });
}

describe("IdleTimeout", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("warns one minute before signing out", async () => {
    installFetch({ [REFRESH]: renewed });
    renderApp("/account", PATIENT);

    await advance(IDLE_MINUTES - 1.5);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

    await advance(0.75);
    expect(screen.getByRole("alertdialog", { name: "Are you still there?" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Stay signed in" })).toHaveFocus();
    const warning = screen.getByRole("alertdialog");
    expect(within(warning).getByRole("button", { name: "Sign out" })).toBeInTheDocument();
  });

  it("follows the server's idle timeout", async () => {
    installFetch({
      [REFRESH]: () => jsonResponse(200, { ...sessionFor(PATIENT), idleTimeoutSeconds: 5 * 60 }),
      [LOGOUT]: () => new Response(null, { status: 204 }),
    });
    renderApp("/account", PATIENT);
    act(() => {
      startSession({ ...sessionFor(PATIENT), idleTimeoutSeconds: 5 * 60 });
    });

    await advance(3.5);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    await advance(0.75);
    expect(screen.getByRole("alertdialog", { name: "Are you still there?" })).toBeInTheDocument();
    await advance(1);

    expect(getSessionSnapshot().status).toBe("signedOut");
    expect(getSessionSnapshot().notice).toBe(idleSignOutNotice(5 * MINUTE_MS));
  });

  it("renews the session when the person stays", async () => {
    const fetch = installFetch({ [REFRESH]: renewed });
    renderApp("/account", PATIENT);
    await advance(IDLE_MINUTES - 0.5);
    const before = fetch.requestsTo(REFRESH).length;

    fireEvent.click(screen.getByRole("button", { name: "Stay signed in" }));
    await advance(5);

    expect(fetch.requestsTo(REFRESH)).toHaveLength(before + 1);
    expect(fetch.requestsTo(REFRESH).at(-1)?.headers.get("X-Requested-With")).toBe("portal");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(getSessionSnapshot().status).toBe("signedIn");
  });

  it("ends the session when staying fails", async () => {
    installFetch({ [REFRESH]: [renewed, () => problemResponse(401, [], "Not signed in")] });
    renderApp("/account", PATIENT);
    await advance(IDLE_MINUTES - 0.5);

    fireEvent.click(screen.getByRole("button", { name: "Stay signed in" }));
    await advance(0.1);

    expect(getSessionSnapshot().status).toBe("signedOut");
  });

  it("signs out when the person chooses to", async () => {
    const fetch = installFetch({ [REFRESH]: renewed, [LOGOUT]: () => new Response(null, { status: 204 }) });
    renderApp("/account", PATIENT);
    await advance(IDLE_MINUTES - 0.5);

    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Sign out" }));
    await advance(0.1);

    expect(fetch.requestsTo(LOGOUT)).toHaveLength(1);
    expect(getSessionSnapshot().status).toBe("signedOut");
    expect(getSessionSnapshot().notice).toBe(SIGNED_OUT_NOTICE);
  });

  it("signs out after the idle limit", async () => {
    const fetch = installFetch({ [REFRESH]: renewed, [LOGOUT]: () => new Response(null, { status: 204 }) });
    renderApp("/account", PATIENT);

    await advance(IDLE_MINUTES + 0.5);

    const notice = idleSignOutNotice(IDLE_MINUTES * MINUTE_MS);
    expect(notice).toBe("You were signed out because you were inactive for 15 minutes.");
    expect(fetch.requestsTo(LOGOUT)).toHaveLength(1);
    expect(getSessionSnapshot().status).toBe("signedOut");
    expect(getSessionSnapshot().notice).toBe(notice);
    expect(screen.getByText(notice)).toBeInTheDocument();
  });
});
