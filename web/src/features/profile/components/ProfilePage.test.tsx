import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PATIENT, profileFixture, PROVIDERS_PAGE } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const GET_PROFILE = "GET /api/v1/patient/profile";
const PUT_PROFILE = "PUT /api/v1/patient/profile";
const PROVIDERS = "GET /api/v1/providers";

interface SentProfile {
  firstName: string;
  dateOfBirth: string;
  allergies: unknown[];
  medications: unknown[];
  conditions: unknown[];
  address: unknown;
  phone: unknown;
  primaryProviderId: unknown;
}

function saveButton() {
  return screen.getByRole("button", { name: "Save profile" });
}

async function renderProfile(routes: Parameters<typeof installFetch>[0] = {}) {
  const fetch = installFetch({
    [GET_PROFILE]: () => jsonResponse(200, profileFixture()),
    [PROVIDERS]: () => jsonResponse(200, PROVIDERS_PAGE),
    [PUT_PROFILE]: (request) => jsonResponse(200, { ...profileFixture(), ...(request.body as object) }),
    ...routes,
  });
  renderApp("/profile", PATIENT);
  await screen.findByRole("button", { name: "Save profile" });
  return fetch;
}

describe("ProfilePage", () => {
  it("adds and removes an allergy row", async () => {
    const fetch = await renderProfile();
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Add an allergy" }));
    await user.click(screen.getByRole("button", { name: "Add an allergy" }));
    const first = screen.getByRole("group", { name: "Allergy 1" });
    const second = screen.getByRole("group", { name: "Allergy 2" });
    await user.type(within(first).getByLabelText("Substance"), "Penicillin");
    await user.type(within(first).getByLabelText(/^Reaction/), "Rash");
    await user.selectOptions(within(first).getByLabelText("Severity"), "severe");
    await user.type(within(second).getByLabelText("Substance"), "Peanuts");

    await user.click(screen.getByRole("button", { name: "Remove allergy 2" }));
    expect(screen.queryByRole("group", { name: "Allergy 2" })).not.toBeInTheDocument();
    await user.click(saveButton());

    await screen.findByText(/Your profile was saved/);
    const sent = fetch.requestsTo(PUT_PROFILE)[0]?.body as SentProfile;
    expect(sent.allergies).toEqual([{ substance: "Penicillin", reaction: "Rash", severity: "severe" }]);
  });

  it("adds and removes medication and condition rows", async () => {
    const fetch = await renderProfile({
      [GET_PROFILE]: () =>
        jsonResponse(200, profileFixture({ medications: [{ name: "Metformin", dose: "500 mg", frequency: "twice a day" }] })),
    });
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Remove medication 1" }));
    expect(screen.getByText(/No medications listed/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add a medication" }));
    const medication = screen.getByRole("group", { name: "Medication 1" });
    await user.type(within(medication).getByLabelText("Name"), "Lisinopril");
    await user.type(within(medication).getByLabelText(/^Dose/), "10 mg");
    await user.click(screen.getByRole("button", { name: "Add a condition" }));
    await user.type(within(screen.getByRole("group", { name: "Condition 1" })).getByLabelText("Condition"), "Asthma");
    await user.click(saveButton());

    await screen.findByText(/Your profile was saved/);
    const sent = fetch.requestsTo(PUT_PROFILE)[0]?.body as SentProfile;
    expect(sent.medications).toEqual([{ name: "Lisinopril", dose: "10 mg", frequency: "" }]);
    expect(sent.conditions).toEqual([{ name: "Asthma" }]);
  });

  it("shows allergy server error beside field", async () => {
    await renderProfile({
      [GET_PROFILE]: () =>
        jsonResponse(200, profileFixture({ allergies: [{ substance: "Latex", reaction: "", severity: "mild" }] })),
      [PUT_PROFILE]: () => problemResponse(422, [{ field: "allergies[0].substance", message: "must not contain control characters" }]),
    });
    const user = userEvent.setup();

    await user.click(saveButton());

    const substance = within(screen.getByRole("group", { name: "Allergy 1" })).getByLabelText("Substance");
    await waitFor(() => {
      expect(substance).toHaveAttribute("aria-invalid", "true");
    });
    expect(substance).toHaveAccessibleDescription("Error: Must not contain control characters");
    expect(substance).toHaveFocus();
    expect(screen.getByRole("link", { name: "Allergy 1 substance: Must not contain control characters" })).toBeInTheDocument();
  });

  it("rejects allergy without substance", async () => {
    const fetch = await renderProfile();
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Add an allergy" }));
    await user.click(saveButton());

    const substance = within(screen.getByRole("group", { name: "Allergy 1" })).getByLabelText("Substance");
    await waitFor(() => {
      expect(substance).toHaveAttribute("aria-invalid", "true");
    });
    expect(substance).toHaveFocus();
    expect(fetch.requestsTo(PUT_PROFILE)).toHaveLength(0);
  });

  it("sends date of birth and blanks unchanged", async () => {
    const fetch = await renderProfile();
    const user = userEvent.setup();

    await screen.findByRole("option", { name: "Dana Reyes (Family medicine)" });
    await user.selectOptions(screen.getByLabelText("Primary provider"), "Dana Reyes (Family medicine)");
    await user.click(saveButton());

    await screen.findByText(/Your profile was saved/);
    const sent = fetch.requestsTo(PUT_PROFILE)[0]?.body as SentProfile;
    expect(sent.dateOfBirth).toBe("1980-03-09");
    expect(sent.address).toBeNull();
    expect(sent.phone).toBeNull();
    expect(sent.primaryProviderId).toBe(PROVIDERS_PAGE.items[0]?.id);
    expect(sent).not.toHaveProperty("email");
    expect(sent).not.toHaveProperty("updatedAt");
  });

  it("requires city for a partial address", async () => {
    const fetch = await renderProfile();
    const user = userEvent.setup();

    await user.type(screen.getByLabelText("Address line 1"), "1 Main Street");
    await user.click(saveButton());

    expect(await screen.findByRole("link", { name: "Town or city: Enter your town or city" })).toBeInTheDocument();
    expect(fetch.requestsTo(PUT_PROFILE)).toHaveLength(0);
  });

  it("retries a failed profile load", async () => {
    installFetch({ [GET_PROFILE]: [() => problemResponse(500), () => jsonResponse(200, profileFixture())] });
    const user = userEvent.setup();
    renderApp("/profile", PATIENT);

    await user.click(await screen.findByRole("button", { name: "Retry" }));

    expect(await screen.findByLabelText("First name")).toHaveValue("Ana");
  });
});
