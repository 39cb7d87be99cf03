import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { appointmentFixture, PATIENT, PROVIDER, PROVIDERS_PAGE } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const LIST = "GET /api/v1/patient/appointments";
const CREATE = "POST /api/v1/patient/appointments";
const PROVIDERS = "GET /api/v1/providers";

// The test run sets TZ=America/New_York, and "now" is fixed so the chosen date is ahead.
const NOW = new Date("2027-03-01T12:00:00Z");

function emptyPage() {
  return { items: [], page: 1, limit: 100, total: 0 };
}

async function renderAppointments(routes: Parameters<typeof installFetch>[0] = {}) {
  const fetch = installFetch({
    [LIST]: () => jsonResponse(200, emptyPage()),
    [PROVIDERS]: () => jsonResponse(200, PROVIDERS_PAGE),
    [CREATE]: (request) => jsonResponse(201, appointmentFixture(request.body as object)),
    ...routes,
  });
  renderApp("/appointments", PATIENT);
  await screen.findByRole("option", { name: "Dana Reyes (Family medicine)" });
  return fetch;
}

async function fillForm(user: ReturnType<typeof userEvent.setup>, reason: string) {
  await user.selectOptions(screen.getByRole("combobox", { name: "Provider" }), "Dana Reyes (Family medicine)");
  await user.type(screen.getByLabelText("Date"), "2027-03-09");
  await user.type(screen.getByLabelText("Time"), "13:00");
  await user.selectOptions(screen.getByRole("combobox", { name: "Visit type" }), "telehealth");
  if (reason !== "") {
    await user.type(screen.getByLabelText(/^Reason for visit/), reason);
  }
}

describe("AppointmentsPage", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends local time as UTC instant", async () => {
    const fetch = await renderAppointments();
    const user = userEvent.setup();

    await fillForm(user, "Cough for two weeks");
    await user.click(screen.getByRole("button", { name: "Request appointment" }));

    await screen.findByText(/Your request for Tue 9 Mar 2027, 1:00 PM EST was sent/);
    expect(fetch.requestsTo(CREATE)[0]?.body).toEqual({
      providerId: PROVIDER.id,
      preferredStart: "2027-03-09T18:00:00.000Z",
      visitType: "telehealth",
      reason: "Cough for two weeks",
    });
  });

  it("rejects empty reason", async () => {
    const fetch = await renderAppointments();
    const user = userEvent.setup();

    await fillForm(user, "");
    await user.click(screen.getByRole("button", { name: "Request appointment" }));

    const reason = screen.getByLabelText(/^Reason for visit/);
    await waitFor(() => {
      expect(reason).toHaveAttribute("aria-invalid", "true");
    });
    expect(reason).toHaveAccessibleDescription(/Tell us the reason for your visit/);
    expect(reason).toHaveFocus();
    expect(fetch.requestsTo(CREATE)).toHaveLength(0);
  });

  it("rejects a past time", async () => {
    const fetch = await renderAppointments();
    const user = userEvent.setup();
    vi.setSystemTime(new Date("2027-03-10T12:00:00Z"));

    await fillForm(user, "Check-up");
    await user.click(screen.getByRole("button", { name: "Request appointment" }));

    expect(await screen.findByRole("link", { name: "Date: Choose a date and time in the future" })).toBeInTheDocument();
    expect(fetch.requestsTo(CREATE)).toHaveLength(0);
  });

  it("shows preferredStart error beside date", async () => {
    await renderAppointments({
      [CREATE]: () => problemResponse(422, [{ field: "preferredStart", message: "must be within 365 days" }]),
    });
    const user = userEvent.setup();

    await fillForm(user, "Check-up");
    await user.click(screen.getByRole("button", { name: "Request appointment" }));

    const date = screen.getByLabelText("Date");
    await waitFor(() => {
      expect(date).toHaveAttribute("aria-invalid", "true");
    });
    expect(date).toHaveAccessibleDescription("Error: Must be within 365 days");
    expect(date).toHaveFocus();
  });

  it("cancels after confirmation", async () => {
    const upcoming = appointmentFixture({ status: "confirmed" });
    const cancelPath = `POST /api/v1/patient/appointments/${upcoming.id}/cancel`;
    const fetch = await renderAppointments({
      [LIST]: [
        () => jsonResponse(200, { items: [upcoming], page: 1, limit: 100, total: 1 }),
        () => jsonResponse(200, { items: [{ ...upcoming, status: "cancelled" }], page: 1, limit: 100, total: 1 }),
      ],
      [cancelPath]: () => jsonResponse(200, { ...upcoming, status: "cancelled" }),
    });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Cancel appointment on Tue 9 Mar 2027, 1:00 PM EST" }));
    expect(fetch.requestsTo(cancelPath)).toHaveLength(0);
    await user.click(within(screen.getByRole("group", { name: "Confirm cancellation" })).getByRole("button", { name: "Yes, cancel it" }));

    await waitFor(() => {
      expect(fetch.requestsTo(cancelPath)).toHaveLength(1);
    });
    const past = await screen.findByRole("heading", { name: "Past and cancelled appointments" });
    expect(await within(past.parentElement!).findByText("Cancelled")).toBeInTheDocument();
  });

  it("explains the empty list", async () => {
    await renderAppointments();

    expect(await screen.findByText(/You have no upcoming appointments/)).toBeInTheDocument();
  });
});
