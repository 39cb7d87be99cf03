import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PATIENT, PROVIDER } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const STATUS = "GET /api/v1/auth/mfa";
const ME = "GET /api/v1/auth/me";
const SETUP = "POST /api/v1/auth/mfa/totp/setup";
const CONFIRM = "POST /api/v1/auth/mfa/totp/confirm";
const DISABLE = "DELETE /api/v1/auth/mfa/totp";
const NEW_CODES = "POST /api/v1/auth/mfa/recovery-codes";

/** An SVG shaped like the server's: one background rectangle and one path of dark modules. */
const QR_SVG =
  '<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="232" height="232" viewBox="0 0 232 232" shape-rendering="crispEdges"><rect x="0" y="0" width="232" height="232" fill="#fff"/><path fill="#000" d="M32 32h8v8H32V32M48 32h8v8H48V32"/></svg>';
const SETUP_BODY = {
  secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
  otpauthUri: "otpauth://totp/Patient%20Portal:ana%40example.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
  qrSvg: QR_SVG,
};
const CODES = Array.from({ length: 10 }, (_, index) => `ABCDE-FGH${String(index).padStart(2, "2")}`);

function status(totpEnabled: boolean, required = false, recoveryCodesLeft = totpEnabled ? 10 : 0) {
  return () => jsonResponse(200, { totpEnabled, recoveryCodesLeft, required });
}

function me(user: typeof PATIENT, mfaEnrolmentRequired = false) {
  // The server sends the field only when it is true.
  return () => jsonResponse(200, mfaEnrolmentRequired ? { ...user, mfaEnrolmentRequired } : user);
}

describe("TwoStepSignInPage", () => {
  it("sets up with the QR code and shows recovery codes once", async () => {
    const fetch = installFetch({
      [STATUS]: [status(false), status(true)],
      [ME]: me(PATIENT),
      [SETUP]: () => jsonResponse(200, SETUP_BODY),
      [CONFIRM]: () => jsonResponse(200, { recoveryCodes: CODES }),
    });
    const user = userEvent.setup();
    renderApp("/account/two-step-sign-in", PATIENT);

    await user.click(await screen.findByRole("button", { name: "Set up two-step sign-in" }));

    const qr = await screen.findByRole("img", { name: "QR code to scan with your authenticator app" });
    expect(qr.tagName.toLowerCase()).toBe("svg");
    expect(qr.querySelector("path")?.getAttribute("d")).toBe("M32 32h8v8H32V32M48 32h8v8H48V32");
    expect(screen.getByText(SETUP_BODY.secret)).toBeInTheDocument();
    const code = screen.getByLabelText("6-digit code");
    expect(code).toHaveAttribute("autocomplete", "one-time-code");
    expect(code).toHaveAttribute("inputmode", "numeric");

    await user.type(code, "123 456");
    await user.click(screen.getByRole("button", { name: "Turn on two-step sign-in" }));

    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(10);
    expect(fetch.requestsTo(CONFIRM)[0]?.body).toEqual({ code: "123456" });

    await user.click(screen.getByRole("button", { name: "Copy codes" }));
    expect(await navigator.clipboard.readText()).toContain(CODES[0]);
    expect(await screen.findByText("The codes are copied.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "I have saved my codes" }));
    expect(await screen.findByRole("heading", { name: "Two-step sign-in is on" })).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Recovery codes" })).not.toBeInTheDocument();
  });

  it("checks the code before sending it", async () => {
    const fetch = installFetch({
      [STATUS]: status(false),
      [ME]: me(PATIENT),
      [SETUP]: () => jsonResponse(200, SETUP_BODY),
    });
    const user = userEvent.setup();
    renderApp("/account/two-step-sign-in", PATIENT);
    await user.click(await screen.findByRole("button", { name: "Set up two-step sign-in" }));

    await user.type(await screen.findByLabelText("6-digit code"), "12ab");
    await user.click(screen.getByRole("button", { name: "Turn on two-step sign-in" }));

    expect(await screen.findAllByText("Enter the 6-digit code from your authenticator app")).not.toHaveLength(0);
    expect(fetch.requestsTo(CONFIRM)).toHaveLength(0);
  });

  it("shows the server's message for a wrong code", async () => {
    installFetch({
      [STATUS]: status(false),
      [ME]: me(PATIENT),
      [SETUP]: () => jsonResponse(200, SETUP_BODY),
      [CONFIRM]: () => problemResponse(422, [{ field: "code", message: "is not the current code" }]),
    });
    const user = userEvent.setup();
    renderApp("/account/two-step-sign-in", PATIENT);
    await user.click(await screen.findByRole("button", { name: "Set up two-step sign-in" }));

    await user.type(await screen.findByLabelText("6-digit code"), "000000");
    await user.click(screen.getByRole("button", { name: "Turn on two-step sign-in" }));

    expect(await screen.findAllByText(/is not the current code/i)).not.toHaveLength(0);
    expect(screen.queryByRole("list", { name: "Recovery codes" })).not.toBeInTheDocument();
  });

  it("does not render unexpected QR markup", async () => {
    installFetch({
      [STATUS]: status(false),
      [ME]: me(PATIENT),
      [SETUP]: () =>
        jsonResponse(200, {
          ...SETUP_BODY,
          qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><path d="javascript:alert(1)"/></svg>',
        }),
    });
    const user = userEvent.setup();
    const { container } = renderApp("/account/two-step-sign-in", PATIENT);
    await user.click(await screen.findByRole("button", { name: "Set up two-step sign-in" }));

    expect(await screen.findByText(/The QR code could not be shown/)).toBeInTheDocument();
    expect(container.querySelector("script")).toBeNull();
    expect(screen.getByText(SETUP_BODY.secret)).toBeInTheDocument();
  });

  it("turns off after confirmation", async () => {
    const fetch = installFetch({
      [STATUS]: [status(true), status(false)],
      [ME]: me(PATIENT),
      [DISABLE]: () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    renderApp("/account/two-step-sign-in", PATIENT);

    const section = (await screen.findByRole("heading", { name: "Turn off two-step sign-in" })).closest("section");
    const form = within(section!);
    await user.type(form.getByLabelText("Current password"), "correct horse");
    await user.type(form.getByLabelText("6-digit code"), "654321");
    await user.click(form.getByRole("button", { name: "Turn off two-step sign-in" }));
    expect(fetch.requestsTo(DISABLE)).toHaveLength(0);
    await user.click(form.getByRole("button", { name: "Yes, turn it off" }));

    expect(await screen.findByRole("button", { name: "Set up two-step sign-in" })).toBeInTheDocument();
    expect(fetch.requestsTo(DISABLE)[0]?.body).toEqual({ currentPassword: "correct horse", code: "654321" });
  });

  it("keeps it on when the person goes back", async () => {
    const fetch = installFetch({ [STATUS]: status(true), [ME]: me(PATIENT) });
    const user = userEvent.setup();
    renderApp("/account/two-step-sign-in", PATIENT);

    const section = (await screen.findByRole("heading", { name: "Turn off two-step sign-in" })).closest("section");
    const form = within(section!);
    await user.type(form.getByLabelText("Current password"), "correct horse");
    await user.type(form.getByLabelText("6-digit code"), "654321");
    await user.click(form.getByRole("button", { name: "Turn off two-step sign-in" }));
    await user.click(form.getByRole("button", { name: "Keep it on" }));

    expect(form.getByRole("button", { name: "Turn off two-step sign-in" })).toBeInTheDocument();
    expect(fetch.requestsTo(DISABLE)).toHaveLength(0);
  });

  it("replaces recovery codes with a code", async () => {
    const fetch = installFetch({
      [STATUS]: status(true, false, 3),
      [ME]: me(PATIENT),
      [NEW_CODES]: () => jsonResponse(200, { recoveryCodes: CODES }),
    });
    const user = userEvent.setup();
    renderApp("/account/two-step-sign-in", PATIENT);

    expect(await screen.findByText("3")).toBeInTheDocument();
    const section = screen.getByRole("heading", { name: "Get new recovery codes" }).closest("section");
    await user.type(within(section!).getByLabelText("6-digit code"), "111222");
    await user.click(within(section!).getByRole("button", { name: "Get new recovery codes" }));

    expect(await screen.findByRole("list", { name: "Recovery codes" })).toBeInTheDocument();
    expect(fetch.requestsTo(NEW_CODES)[0]?.body).toEqual({ code: "111222" });
  });

  it("offers no way to turn off a required setup", async () => {
    installFetch({ [STATUS]: status(true, true), [ME]: me(PROVIDER) });
    renderApp("/account/two-step-sign-in", PROVIDER);

    expect(
      await screen.findByText("Your account type requires two-step sign-in, so it cannot be turned off."),
    ).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Turn off two-step sign-in" })).not.toBeInTheDocument();
  });

  it("sends a user who must enrol to the setup page", async () => {
    installFetch({
      [ME]: me(PROVIDER, true),
      [STATUS]: status(false, true),
      "GET /api/v1/provider/patients": () => problemResponse(403, [], "Set up two-step sign-in first."),
    });
    const { router } = renderApp("/provider/patients", PROVIDER);

    await waitFor(() => {
      expect(router.state.location.pathname).toBe("/account/two-step-sign-in");
    });
    expect(await screen.findByText(/Your account type requires two-step sign-in/)).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Set up two-step sign-in" })).toBeInTheDocument();
  });
});
