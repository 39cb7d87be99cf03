import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { getSessionSnapshot } from "@/lib/session/sessionStore";
import { PATIENT, sessionFor } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const LOGIN = "POST /api/v1/auth/login";
const SECOND_STEP = "POST /api/v1/auth/login/mfa";
const CHALLENGE = { mfaRequired: true, mfaToken: "mfa-token-1", mfaTokenExpiresAt: "2099-01-01T00:05:00Z" };
const DASHBOARD = {
  firstName: "Ana",
  upcomingAppointments: [],
  reminders: [],
  tipOfTheDay: { ageGroup: "adult", title: "Move more", body: "Walk for 30 minutes a day." },
};

async function enterPassword(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Email"), "ana@example.test");
  await user.type(screen.getByLabelText("Password"), "correct horse");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("Sign-in second step", () => {
  it("asks for a code and then signs in", async () => {
    const fetch = installFetch({
      [LOGIN]: () => jsonResponse(200, CHALLENGE),
      [SECOND_STEP]: () => jsonResponse(200, sessionFor(PATIENT)),
      "GET /api/v1/patient/dashboard": () => jsonResponse(200, DASHBOARD),
      "GET /api/v1/auth/me": () => jsonResponse(200, PATIENT),
    });
    const user = userEvent.setup();
    const { router } = renderApp("/signin", null);

    await enterPassword(user);

    expect(await screen.findByRole("heading", { level: 1, name: "Enter your sign-in code" })).toBeInTheDocument();
    expect(getSessionSnapshot().user).toBeNull();
    const code = screen.getByLabelText("6-digit code");
    expect(code).toHaveAttribute("autocomplete", "one-time-code");
    expect(code).toHaveAttribute("inputmode", "numeric");
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Hello, Ana" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/dashboard");
    expect(fetch.requestsTo(SECOND_STEP)[0]?.body).toEqual({ mfaToken: "mfa-token-1", code: "123456" });
    expect(getSessionSnapshot().user?.id).toBe(PATIENT.id);
  });

  it("accepts a recovery code instead", async () => {
    const fetch = installFetch({
      [LOGIN]: () => jsonResponse(200, CHALLENGE),
      [SECOND_STEP]: () => jsonResponse(200, sessionFor(PATIENT)),
      "GET /api/v1/patient/dashboard": () => jsonResponse(200, DASHBOARD),
      "GET /api/v1/auth/me": () => jsonResponse(200, PATIENT),
    });
    const user = userEvent.setup();
    renderApp("/signin", null);
    await enterPassword(user);

    await user.click(await screen.findByRole("button", { name: "Use a recovery code instead" }));
    await user.type(screen.getByLabelText("Recovery code"), "ABCDE-FGHJK");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Hello, Ana" })).toBeInTheDocument();
    expect(fetch.requestsTo(SECOND_STEP)[0]?.body).toEqual({ mfaToken: "mfa-token-1", recoveryCode: "ABCDE-FGHJK" });
  });

  it("shows one message for a wrong code", async () => {
    installFetch({
      [LOGIN]: () => jsonResponse(200, CHALLENGE),
      [SECOND_STEP]: () => problemResponse(401, [], "The code is incorrect."),
    });
    const user = userEvent.setup();
    renderApp("/signin", null);
    await enterPassword(user);

    await user.type(await screen.findByLabelText("6-digit code"), "000000");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    expect(await screen.findByText(/That code is not correct or was already used/)).toBeInTheDocument();
    expect(getSessionSnapshot().user).toBeNull();
  });

  it("goes back to the password step", async () => {
    installFetch({ [LOGIN]: () => jsonResponse(200, CHALLENGE) });
    const user = userEvent.setup();
    renderApp("/signin", null);
    await enterPassword(user);

    await user.click(await screen.findByRole("button", { name: "Start again" }));

    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });
});
