import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PATIENT } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const LOG = "GET /api/v1/patient/access-log";

const EVENTS = [
  {
    id: 3,
    occurredAt: "2026-12-04T15:00:00Z",
    actorId: "provider-1",
    actorName: "Dana Reyes",
    actorRole: "provider",
    action: "profile.read",
    outcome: "success",
  },
  {
    id: 2,
    occurredAt: "2026-12-04T14:00:00Z",
    actorId: PATIENT.id,
    actorName: "Ana Lopez",
    actorRole: "patient",
    action: "appointment.request",
    outcome: "success",
  },
  {
    id: 1,
    occurredAt: "2026-12-04T13:00:00Z",
    actorId: null,
    actorName: null,
    actorRole: null,
    action: "auth.login",
    outcome: "failed",
  },
];

describe("AccessLogPage", () => {
  it("describes who did what in plain words", async () => {
    installFetch({ [LOG]: () => jsonResponse(200, { items: EVENTS, page: 1, limit: 25, total: 3 }) });
    renderApp("/access-log", PATIENT);

    const rows = await screen.findAllByRole("row");
    const [, provider, self, unknown] = rows;
    expect(within(provider!).getByRole("cell", { name: "Dana Reyes (Provider)" })).toBeInTheDocument();
    expect(within(provider!).getByRole("cell", { name: "Viewed the profile" })).toBeInTheDocument();
    expect(within(self!).getByRole("cell", { name: "You" })).toBeInTheDocument();
    expect(within(self!).getByRole("cell", { name: "Requested an appointment" })).toBeInTheDocument();
    expect(within(unknown!).getByRole("cell", { name: "Unknown" })).toBeInTheDocument();
    expect(within(unknown!).getByRole("cell", { name: "Failed" })).toBeInTheDocument();
    expect(within(unknown!).getByRole("cell", { name: "Fri 4 Dec 2026, 8:00 AM EST" })).toBeInTheDocument();
  });

  it("pages with Next", async () => {
    const fetch = installFetch({
      [LOG]: (request) =>
        jsonResponse(200, {
          items: request.search.includes("page=2") ? [EVENTS[2]] : EVENTS.slice(0, 2),
          page: request.search.includes("page=2") ? 2 : 1,
          limit: 2,
          total: 3,
        }),
    });
    const user = userEvent.setup();
    renderApp("/access-log", PATIENT);

    await user.click(await screen.findByRole("button", { name: "Next" }));

    expect(await screen.findByText("Page 2 of 2")).toBeInTheDocument();
    expect(fetch.requestsTo(LOG).at(-1)?.search).toContain("page=2");
  });

  it("offers a retry after an error", async () => {
    installFetch({ [LOG]: () => problemResponse(503, [], "Database unavailable") });
    renderApp("/access-log", PATIENT);

    expect(await screen.findByText("We could not load your access history.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
