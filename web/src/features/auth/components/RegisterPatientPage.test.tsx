import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PRIVACY_POLICY_VERSION } from "@/features/public/PrivacyPage";
import { PATIENT, sessionFor } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const REGISTER = "POST /api/v1/auth/register/patient";

async function fillRequiredFields(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Email"), "ana@example.test");
  await user.type(screen.getByLabelText(/^Password/), "a long passphrase");
  await user.type(screen.getByLabelText("First name"), "Ana");
  await user.type(screen.getByLabelText("Last name"), "Lopez");
  await user.type(screen.getByLabelText("Date of birth"), "1980-03-09");
}

describe("RegisterPatientPage", () => {
  it("blocks submit without consent", async () => {
    const fetch = installFetch({});
    const user = userEvent.setup();
    renderApp("/register", null);
    await fillRequiredFields(user);

    await user.click(screen.getByRole("button", { name: "Create account" }));

    const consent = screen.getByRole("checkbox", { name: /agree to the privacy policy/ });
    expect(consent).not.toBeChecked();
    expect(consent).toHaveAttribute("aria-invalid", "true");
    expect(consent).toHaveAccessibleDescription(/Tick the box to agree to the privacy policy/);
    expect(screen.getByRole("heading", { name: "There is a problem" })).toBeInTheDocument();
    expect(fetch.requests).toHaveLength(0);
  });

  it("sends consent and policy version", async () => {
    const fetch = installFetch({ [REGISTER]: () => jsonResponse(201, sessionFor(PATIENT)) });
    const user = userEvent.setup();
    const { router } = renderApp("/register", null);
    await fillRequiredFields(user);

    await user.click(screen.getByRole("checkbox", { name: /agree to the privacy policy/ }));
    await user.click(screen.getByRole("button", { name: "Create account" }));

    await screen.findByRole("heading", { level: 1, name: /Hello/ });
    const body = fetch.requestsTo(REGISTER)[0]?.body;
    expect(body).toEqual({
      email: "ana@example.test",
      password: "a long passphrase",
      firstName: "Ana",
      lastName: "Lopez",
      dateOfBirth: "1980-03-09",
      consent: true,
      consentVersion: PRIVACY_POLICY_VERSION,
    });
    expect(router.state.location.pathname).toBe("/dashboard");
  });

  it("links consent label to policy", () => {
    installFetch({});
    renderApp("/register", null);

    expect(screen.getByRole("link", { name: "privacy policy" })).toHaveAttribute("href", "/privacy");
  });

  it("shows server error beside field", async () => {
    installFetch({
      [REGISTER]: () => problemResponse(422, [{ field: "dateOfBirth", message: "must not be in the future" }]),
    });
    const user = userEvent.setup();
    renderApp("/register", null);
    await fillRequiredFields(user);
    await user.click(screen.getByRole("checkbox", { name: /agree to the privacy policy/ }));

    await user.click(screen.getByRole("button", { name: "Create account" }));

    const dateOfBirth = screen.getByLabelText("Date of birth");
    await waitFor(() => {
      expect(dateOfBirth).toHaveAttribute("aria-invalid", "true");
    });
    expect(dateOfBirth).toHaveAttribute("aria-invalid", "true");
    expect(dateOfBirth).toHaveAccessibleDescription("Error: Must not be in the future");
    expect(dateOfBirth).toHaveFocus();
  });

  it("shows email conflict in summary", async () => {
    installFetch({ [REGISTER]: () => problemResponse(409, [], "An account with this email already exists.") });
    const user = userEvent.setup();
    renderApp("/register", null);
    await fillRequiredFields(user);
    await user.click(screen.getByRole("checkbox", { name: /agree to the privacy policy/ }));

    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("An account with this email already exists.")).toBeInTheDocument();
  });
});
