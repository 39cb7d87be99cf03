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
    emergency: false,
    reason: null,
  },
  {
    id: 2,
    occurredAt: "2026-12-04T14:00:00Z",
    actorId: PATIENT.id,
    actorName: "Ana Lopez",
    actorRole: "patient",
    action: "appointment.request",
    outcome: "success",
    emergency: false,
    reason: null,
  },
  {
    id: 1,
    occurredAt: "2026-12-04T13:00:00Z",
    actorId: null,
    actorName: null,
    actorRole: null,
    action: "auth.login",
    outcome: "failed",
    emergency: false,
    reason: null,
  },
];

const EMERGENCY_REASON = "Brought in unconscious, allergy history needed before treatment";

const EMERGENCY_EVENTS = [
  {
    id: 12,
    occurredAt: "2026-12-05T15:01:00Z",
    actorId: "provider-2",
    actorName: "Lee Park",
    actorRole: "provider",
    action: "emergency.profile.read",
    outcome: "success",
    emergency: true,
    reason: null,
  },
  {
    id: 11,
    occurredAt: "2026-12-05T15:00:00Z",
    actorId: "provider-2",
    actorName: "Lee Park",
    actorRole: "provider",
    action: "emergency.grant",
    outcome: "success",
    emergency: true,
    reason: EMERGENCY_REASON,
  },
  ...EVENTS,
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

  it("marks emergency access and its reason", async () => {
    installFetch({ [LOG]: () => jsonResponse(200, { items: EMERGENCY_EVENTS, page: 1, limit: 25, total: 5 }) });
    renderApp("/access-log", PATIENT);

    const rows = await screen.findAllByRole("row");
    const [, read, grant, ordinary] = rows;
    const notice = screen.getByRole("note", { name: "This page includes emergency access" });
    expect(notice).toHaveTextContent(/If you do not recognise one, contact the clinic/);
    expect(within(grant!).getByText("Emergency access")).toBeInTheDocument();
    expect(within(grant!).getByText("Opened your record in an emergency")).toBeInTheDocument();
    expect(within(grant!).getByText(`Reason given: “${EMERGENCY_REASON}”`)).toBeInTheDocument();
    expect(within(grant!).getByRole("cell", { name: "Lee Park (Provider)" })).toBeInTheDocument();
    expect(grant).toHaveClass("table__row--emergency");
    expect(within(read!).getByText("Emergency access")).toBeInTheDocument();
    expect(within(read!).getByText("Viewed the profile under emergency access")).toBeInTheDocument();
    expect(within(read!).queryByText(/Reason given/)).not.toBeInTheDocument();
    expect(within(ordinary!).queryByText("Emergency access")).not.toBeInTheDocument();
    expect(ordinary).not.toHaveClass("table__row--emergency");
  });

  it("shows no emergency notice without emergency access", async () => {
    installFetch({ [LOG]: () => jsonResponse(200, { items: EVENTS, page: 1, limit: 25, total: 3 }) });
    renderApp("/access-log", PATIENT);

    await screen.findAllByRole("row");
    expect(screen.queryByRole("note")).not.toBeInTheDocument();
    expect(screen.queryByText("Emergency access")).not.toBeInTheDocument();
  });

  it("labels demo data and denied emergency access", async () => {
    const items = [
      { ...EMERGENCY_EVENTS[1]!, id: 21, outcome: "denied", reason: null },
      { ...EVENTS[2]!, id: 20, action: "account.seed", outcome: "success" },
    ];
    installFetch({ [LOG]: () => jsonResponse(200, { items, page: 1, limit: 25, total: 2 }) });
    renderApp("/access-log", PATIENT);

    const [, denied, seeded] = await screen.findAllByRole("row");
    expect(within(denied!).getByText("Emergency access")).toBeInTheDocument();
    expect(within(denied!).getByRole("cell", { name: "Denied" })).toBeInTheDocument();
    expect(within(seeded!).getByRole("cell", { name: "Created as demo data" })).toBeInTheDocument();
    expect(screen.getByRole("note", { name: "This page includes emergency access" })).toBeInTheDocument();
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
