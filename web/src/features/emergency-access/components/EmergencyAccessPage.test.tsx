import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PATIENT, profileFixture, PROVIDER } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const EMERGENCY = "POST /api/v1/provider/emergency-access";
const RECORD = `GET /api/v1/provider/patients/${PATIENT.id}`;
const REASON = "Brought in unconscious, allergy history needed before treatment";
/** Grant end far enough ahead that no timer in the page fires. 15:45 UTC is 10:45 AM in New York. */
const EXPIRES_AT = "2099-01-15T15:45:00Z";

function grant() {
  return { patientId: PATIENT.id, firstName: "Ana", lastName: "Lopez", expiresAt: EXPIRES_AT };
}

async function fillForm(user: ReturnType<typeof userEvent.setup>, reason = REASON) {
  await user.type(screen.getByLabelText("Patient's email"), "  ana@example.test ");
  await user.type(screen.getByLabelText("Patient's date of birth"), "1980-03-09");
  await user.type(screen.getByLabelText(/^Reason/), reason);
  await user.click(screen.getByRole("checkbox", { name: /I confirm that this patient needs care from me now/ }));
}

describe("EmergencyAccessPage", () => {
  it("opens from the patient list", async () => {
    installFetch({ "GET /api/v1/provider/patients": () => jsonResponse(200, { items: [], page: 1, limit: 25, total: 0 }) });
    const user = userEvent.setup();
    const { router } = renderApp("/provider/patients", PROVIDER);

    await user.click(screen.getByRole("link", { name: "Request emergency access" }));

    expect(router.state.location.pathname).toBe("/provider/emergency-access");
    expect(screen.getByRole("heading", { level: 1, name: "Emergency access" })).toBeInTheDocument();
    expect(document.title).toBe("Emergency access - Clinic Portal");
  });

  it("warns that access is recorded and shown", () => {
    installFetch({});
    renderApp("/provider/emergency-access", PROVIDER);

    const warning = screen.getByRole("note", { name: "Every emergency access is recorded" });
    expect(warning).toHaveTextContent(/The patient sees your name, the time and your reason/);
    expect(warning).toHaveTextContent(/The clinic reviews every use/);
    expect(screen.getByRole("checkbox", { name: /recorded, shown to the patient and reviewed/ })).not.toBeChecked();
  });

  it("checks every field before sending", async () => {
    const fetch = installFetch({});
    const user = userEvent.setup();
    renderApp("/provider/emergency-access", PROVIDER);

    await user.click(screen.getByRole("button", { name: "Open the record" }));

    const email = screen.getByLabelText("Patient's email");
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("Error: Enter the patient's email address");
    expect(email).toHaveFocus();
    expect(screen.getByLabelText("Patient's date of birth")).toHaveAccessibleDescription(
      "Error: Enter the patient's date of birth",
    );
    expect(screen.getByLabelText(/^Reason/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("checkbox", { name: /I confirm/ })).toHaveAccessibleDescription(
      "Error: Tick the box to confirm that you need emergency access",
    );
    expect(screen.getByRole("heading", { name: "There is a problem" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Confirmation: Tick the box to confirm that you need emergency access" })).toBeInTheDocument();
    expect(fetch.requests).toHaveLength(0);
  });

  it("rejects a reason under 10 characters", async () => {
    const fetch = installFetch({});
    const user = userEvent.setup();
    renderApp("/provider/emergency-access", PROVIDER);
    await fillForm(user, " urgent!  ");

    await user.click(screen.getByRole("button", { name: "Open the record" }));

    const reason = screen.getByLabelText(/^Reason/);
    expect(reason).toHaveFocus();
    expect(reason).toHaveAccessibleDescription(
      expect.stringContaining("Error: Reason must be at least 10 characters") as string,
    );
    expect(fetch.requests).toHaveLength(0);
  });

  it("shows one message when no patient matches", async () => {
    const fetch = installFetch({ [EMERGENCY]: () => problemResponse(404, [], "Not found") });
    const user = userEvent.setup();
    const { router } = renderApp("/provider/emergency-access", PROVIDER);
    await fillForm(user);

    await user.click(screen.getByRole("button", { name: "Open the record" }));

    expect(
      await screen.findByText("No patient matches that email and date of birth. Check both and try again."),
    ).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole("heading", { name: "There is a problem" }).parentElement).toHaveFocus();
    });
    expect(screen.queryByText("Not found")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Patient's email")).not.toHaveAttribute("aria-invalid");
    expect(fetch.requestsTo(EMERGENCY)).toHaveLength(1);
    expect(router.state.location.pathname).toBe("/provider/emergency-access");
  });

  it("shows server error beside field", async () => {
    installFetch({
      [EMERGENCY]: () =>
        problemResponse(422, [{ field: "dateOfBirth", message: "must be within the last 130 years" }]),
    });
    const user = userEvent.setup();
    renderApp("/provider/emergency-access", PROVIDER);
    await fillForm(user);

    await user.click(screen.getByRole("button", { name: "Open the record" }));

    const dateOfBirth = screen.getByLabelText("Patient's date of birth");
    await waitFor(() => {
      expect(dateOfBirth).toHaveAttribute("aria-invalid", "true");
    });
    expect(dateOfBirth).toHaveAccessibleDescription("Error: Must be within the last 130 years");
    expect(dateOfBirth).toHaveFocus();
  });

  it("opens the record with a banner on success", async () => {
    const fetch = installFetch({
      [EMERGENCY]: () => jsonResponse(201, grant()),
      [RECORD]: () => jsonResponse(200, profileFixture({ allergies: [{ substance: "Penicillin", reaction: "", severity: "severe" }] })),
    });
    const user = userEvent.setup();
    const { router } = renderApp("/provider/emergency-access", PROVIDER);
    await fillForm(user);

    await user.click(screen.getByRole("button", { name: "Open the record" }));

    expect(await screen.findByText("Penicillin")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/provider/patients/${PATIENT.id}`);
    expect(screen.getByText("Emergency access until 10:45 AM EST")).toBeInTheDocument();
    expect(screen.getByText("Read-only")).toBeInTheDocument();
    expect(fetch.requestsTo(EMERGENCY)[0]?.body).toEqual({
      patientEmail: "ana@example.test",
      dateOfBirth: "1980-03-09",
      reason: REASON,
    });
  });

  it("leaves the banner off a record from the list", async () => {
    installFetch({ [RECORD]: () => jsonResponse(200, profileFixture()) });
    renderApp(`/provider/patients/${PATIENT.id}`, PROVIDER);

    expect(await screen.findByRole("heading", { name: "Personal details" })).toBeInTheDocument();
    expect(screen.queryByText(/Emergency access/)).not.toBeInTheDocument();
  });

  describe("when the grant ends", () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });

    afterEach(() => {
      vi.useRealTimers();
    });

    it("hides the record", async () => {
      const fetch = installFetch({ [RECORD]: () => jsonResponse(200, profileFixture({ phone: "555-010-1234" })) });
      const { router, queryClient } = renderApp("/provider/emergency-access", PROVIDER);
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      await act(async () => {
        await router.navigate(`/provider/patients/${PATIENT.id}`, { state: { emergencyAccessUntil: expiresAt } });
      });
      await act(async () => {
        await vi.advanceTimersByTimeAsync(1_000);
      });
      expect(screen.getByText("555-010-1234")).toBeInTheDocument();
      expect(screen.getByText(/^Emergency access until/)).toBeInTheDocument();

      await act(async () => {
        await vi.advanceTimersByTimeAsync(60_000);
      });

      expect(screen.queryByText("555-010-1234")).not.toBeInTheDocument();
      expect(screen.getByText("Emergency access ended")).toBeInTheDocument();
      expect(screen.getByRole("link", { name: "Request emergency access again" })).toHaveAttribute(
        "href",
        "/provider/emergency-access",
      );
      expect(queryClient.getQueryData(["provider", "patient", PATIENT.id])).toBeUndefined();
      expect(fetch.requestsTo(RECORD)).toHaveLength(1);
    });
  });
});
