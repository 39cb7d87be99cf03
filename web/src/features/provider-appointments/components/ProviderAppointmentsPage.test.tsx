import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { appointmentFixture, PROVIDER } from "@/test/fixtures";
import { installFetch, jsonResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const LIST = "GET /api/v1/provider/appointments";

describe("ProviderAppointmentsPage", () => {
  it("confirms a requested appointment", async () => {
    const appointment = appointmentFixture();
    const confirmRoute = `POST /api/v1/provider/appointments/${appointment.id}/confirm`;
    const fetch = installFetch({
      [LIST]: [
        () => jsonResponse(200, { items: [appointment], page: 1, limit: 25, total: 1 }),
        () => jsonResponse(200, { items: [], page: 1, limit: 25, total: 0 }),
      ],
      [confirmRoute]: () => jsonResponse(200, { ...appointment, status: "confirmed" }),
    });
    const user = userEvent.setup();
    renderApp("/provider/appointments", PROVIDER);

    await user.click(await screen.findByRole("button", { name: "Confirm appointment for Ana Lopez" }));

    expect(new URLSearchParams(fetch.requestsTo(LIST)[0]?.search).get("status")).toBe("requested");
    await waitFor(() => {
      expect(fetch.requestsTo(confirmRoute)).toHaveLength(1);
    });
    expect(await screen.findByText(/No requested appointments/)).toBeInTheDocument();
  });

  it("asks before declining", async () => {
    const appointment = appointmentFixture();
    const declineRoute = `POST /api/v1/provider/appointments/${appointment.id}/decline`;
    const fetch = installFetch({
      [LIST]: () => jsonResponse(200, { items: [appointment], page: 1, limit: 25, total: 1 }),
      [declineRoute]: () => jsonResponse(200, { ...appointment, status: "declined" }),
    });
    const user = userEvent.setup();
    renderApp("/provider/appointments", PROVIDER);

    await user.click(await screen.findByRole("button", { name: "Decline appointment for Ana Lopez" }));
    expect(fetch.requestsTo(declineRoute)).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, decline it" }));

    await waitFor(() => {
      expect(fetch.requestsTo(declineRoute)).toHaveLength(1);
    });
  });

  it("filters by status", async () => {
    const fetch = installFetch({ [LIST]: () => jsonResponse(200, { items: [], page: 1, limit: 25, total: 0 }) });
    const user = userEvent.setup();
    renderApp("/provider/appointments", PROVIDER);
    await screen.findByText(/No requested appointments/);

    await user.selectOptions(screen.getByRole("combobox", { name: "Show appointments that are" }), "confirmed");

    expect(await screen.findByText(/No confirmed appointments/)).toBeInTheDocument();
    expect(new URLSearchParams(fetch.requestsTo(LIST).at(-1)?.search).get("status")).toBe("confirmed");
  });
});
