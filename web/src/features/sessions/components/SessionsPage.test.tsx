import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PATIENT, PROVIDER } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const LIST = "GET /api/v1/auth/sessions";
const END_OTHERS = "POST /api/v1/auth/sessions/end-others";
const CURRENT_ID = "00000000-0000-7000-8000-000000000001";
const OTHER_ID = "00000000-0000-7000-8000-000000000002";
const THIRD_ID = "00000000-0000-7000-8000-000000000003";
const END_OTHER = `DELETE /api/v1/auth/sessions/${OTHER_ID}`;

const CURRENT = {
  id: CURRENT_ID,
  browser: "Firefox on Windows",
  createdAt: "2026-12-04T15:00:00Z",
  lastUsedAt: "2026-12-04T15:10:00Z",
  expiresAt: "2026-12-05T03:00:00Z",
  current: true,
};
const OTHER = {
  id: OTHER_ID,
  browser: "Chrome on Android",
  createdAt: "2026-12-04T13:00:00Z",
  lastUsedAt: "2026-12-04T13:05:00Z",
  expiresAt: "2026-12-05T01:00:00Z",
  current: false,
};
const UNKNOWN = {
  id: THIRD_ID,
  browser: null,
  createdAt: "2026-12-04T12:00:00Z",
  lastUsedAt: "2026-12-04T12:00:00Z",
  expiresAt: "2026-12-05T00:00:00Z",
  current: false,
};

/** Returns the cards of the session list. */
function sessionCards() {
  return within(screen.getByRole("list", { name: "Your sessions" })).getAllByRole("listitem");
}

function listOf(...items: object[]) {
  return () => jsonResponse(200, { items });
}

describe("SessionsPage", () => {
  it("lists sessions with this device marked", async () => {
    installFetch({ [LIST]: listOf(CURRENT, OTHER, UNKNOWN) });
    renderApp("/account/sessions", PATIENT);

    await screen.findByRole("list", { name: "Your sessions" });
    const items = sessionCards();
    expect(items).toHaveLength(3);
    const [current, other, unknown] = items;
    expect(within(current!).getByRole("heading", { name: "Firefox on Windows This device" })).toBeInTheDocument();
    expect(within(current!).queryByRole("button", { name: /^End/ })).not.toBeInTheDocument();
    expect(within(current!).getByText("Fri 4 Dec 2026, 10:00 AM EST")).toBeInTheDocument();
    expect(within(current!).getByText("Fri 4 Dec 2026, 10:10 AM EST")).toBeInTheDocument();
    expect(within(other!).getByRole("heading", { name: "Chrome on Android" })).toBeInTheDocument();
    expect(within(other!).queryByText("This device")).not.toBeInTheDocument();
    expect(
      within(other!).getByRole("button", {
        name: "End session in Chrome on Android, signed in Fri 4 Dec 2026, 8:00 AM EST",
      }),
    ).toBeInTheDocument();
    expect(within(unknown!).getByRole("heading", { name: "Unknown browser" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "End all other sessions" })).toBeInTheDocument();
  });

  it("ends one session after confirmation", async () => {
    const fetch = installFetch({
      [LIST]: [listOf(CURRENT, OTHER), listOf(CURRENT)],
      [END_OTHER]: () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    renderApp("/account/sessions", PATIENT);

    await user.click(await screen.findByRole("button", { name: /^End session in Chrome on Android/ }));
    const confirm = screen.getByRole("group", { name: "Confirm" });
    expect(within(confirm).getByRole("button", { name: "No, go back" })).toHaveFocus();
    expect(fetch.requestsTo(END_OTHER)).toHaveLength(0);
    await user.click(within(confirm).getByRole("button", { name: "Yes, end it" }));

    expect(await screen.findByText("The session in Chrome on Android has ended.")).toHaveFocus();
    expect(fetch.requestsTo(END_OTHER)).toHaveLength(1);
    await waitFor(() => {
      expect(sessionCards()).toHaveLength(1);
    });
    expect(screen.getByText("You are not signed in anywhere else.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "End all other sessions" })).not.toBeInTheDocument();
  });

  it("keeps the session when the person goes back", async () => {
    const fetch = installFetch({ [LIST]: listOf(CURRENT, OTHER) });
    const user = userEvent.setup();
    renderApp("/account/sessions", PATIENT);

    await user.click(await screen.findByRole("button", { name: /^End session in Chrome on Android/ }));
    await user.click(screen.getByRole("button", { name: "No, go back" }));

    expect(screen.queryByRole("group", { name: "Confirm" })).not.toBeInTheDocument();
    expect(fetch.requestsTo(END_OTHER)).toHaveLength(0);
  });

  it("ends all other sessions after confirmation", async () => {
    const fetch = installFetch({
      [LIST]: [listOf(CURRENT, OTHER, UNKNOWN), listOf(CURRENT)],
      [END_OTHERS]: () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    renderApp("/account/sessions", PROVIDER);

    await user.click(await screen.findByRole("button", { name: "End all other sessions" }));
    expect(screen.getByText("Sign out of 2 other sessions? You stay signed in here.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Yes, end them" }));

    expect(
      await screen.findByText("All your other sessions have ended. You are still signed in here."),
    ).toBeInTheDocument();
    expect(fetch.requestsTo(END_OTHERS)).toHaveLength(1);
    await waitFor(() => {
      expect(sessionCards()).toHaveLength(1);
    });
  });

  it("reports a session that had already ended", async () => {
    installFetch({
      [LIST]: [listOf(CURRENT, OTHER), listOf(CURRENT)],
      [END_OTHER]: () => problemResponse(404, [], "Not found."),
    });
    const user = userEvent.setup();
    renderApp("/account/sessions", PATIENT);

    await user.click(await screen.findByRole("button", { name: /^End session in Chrome on Android/ }));
    await user.click(screen.getByRole("button", { name: "Yes, end it" }));

    expect(await screen.findByText("The session in Chrome on Android had already ended.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says when ending a session fails", async () => {
    installFetch({
      [LIST]: listOf(CURRENT, OTHER),
      [END_OTHER]: () => problemResponse(503, [], "Database unavailable"),
    });
    const user = userEvent.setup();
    renderApp("/account/sessions", PATIENT);

    await user.click(await screen.findByRole("button", { name: /^End session in Chrome on Android/ }));
    await user.click(screen.getByRole("button", { name: "Yes, end it" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("We could not end that session.");
  });

  it("offers a retry after a loading error", async () => {
    installFetch({ [LIST]: () => problemResponse(503, [], "Database unavailable") });
    renderApp("/account/sessions", PATIENT);

    expect(await screen.findByText("We could not load your sessions.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("is linked from the account page", async () => {
    installFetch({ [LIST]: listOf(CURRENT) });
    const user = userEvent.setup();
    renderApp("/account", PROVIDER);

    await user.click(screen.getByRole("link", { name: "Manage your sessions" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sessions" })).toBeInTheDocument();
    expect(await screen.findByText("You are not signed in anywhere else.")).toBeInTheDocument();
  });
});
