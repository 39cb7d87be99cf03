// End-to-end scenario against the release binary. A new patient registers, edits the profile
// and requests an appointment on a phone-sized screen. The demo provider then finds the patient,
// reads the record and confirms the appointment on a desktop, and the patient finds the
// provider in the access history. A second provider, with no patients in care, opens the demo
// patient's record through emergency access, and the demo patient finds that access marked in
// the access history. Every page visited is checked with axe-core, and at the end the server's
// log is searched for the scenario's health data, passwords and tokens and for the demo
// patient's seeded record. A third patient turns on two-step sign-in with an authenticator app
// and signs in again with the password and a code.

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { Secret, TOTP } from "otpauth";

import { assertNoSeriousAxeViolations } from "../lib/axe.mjs";
import { BROWSER_TIME_ZONE, launchBrowser, openPortalPage } from "../lib/browser.mjs";
import { startPortal } from "../lib/server.mjs";
import { eventually } from "../lib/wait.mjs";

const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "..", "artifacts");
const SETUP_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 120_000;

/** Demo provider created by `portal serve --demo`. */
const DEMO_PROVIDER = {
  email: "provider@demo.portal.test",
  password: "demo-provider-2026",
  name: "Dana Reyes",
};

/** Demo patient created by `portal serve --demo`, not in the care of a newly registered provider. */
const DEMO_PATIENT = {
  email: "patient@demo.portal.test",
  password: "demo-patient-2026",
  dateOfBirth: "1978-04-12",
};

/** Provider invite code that `portal serve --demo` creates and prints. */
const DEMO_INVITE_CODE = "DEMO-INVITE-CODE-2026";

/** Pages the scenario checks with axe. The last test asserts that each one was checked. */
const PAGES_TO_AUDIT = [
  "landing",
  "register",
  "dashboard",
  "profile",
  "appointments",
  "sign-in",
  "provider patients",
  "provider patient record",
  "provider appointment requests",
  "access history",
  "provider sign-up",
  "emergency access",
  "emergency access record",
  "emergency access history",
  "health information",
  "privacy policy",
  "account",
  "two-step sign-in",
  "authenticator setup",
  "recovery codes",
  "second sign-in step",
  "second sign-in step with a wrong code",
];

/** Matches a JSON Web Token (three base64url parts), the form of the portal's access token. */
const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

const runId = randomLetters(8);

const patient = {
  email: `robin.${runId}@example.test`,
  password: `calm-harbor-${runId}`,
  firstName: "Robin",
  // The random part makes the provider's search by the first letters match only this patient.
  lastName: `Marsh${runId}`,
  // 29 or 30 years old on any day, so the tip of the day is for young adults (18 to 39).
  dateOfBirth: `${new Date().getFullYear() - 30}-06-15`,
};
patient.fullName = `${patient.firstName} ${patient.lastName}`;
patient.searchPrefix = patient.lastName.slice(0, 9);

/** A second provider, registered with the demo invite code, with no patients in care. */
const outsideProvider = {
  email: `lee.${runId}@example.test`,
  password: `quiet-meadow-${runId}`,
  firstName: "Lee",
  lastName: `Park${runId}`,
  npi: randomNpi(),
  specialty: "Emergency medicine",
};
outsideProvider.fullName = `${outsideProvider.firstName} ${outsideProvider.lastName}`;

/** A patient only for the two-step sign-in step, so turning it on changes no other step's sign-in. */
const totpPatient = {
  email: `sam.${runId}@example.test`,
  password: `amber-lantern-${runId}`,
  firstName: "Sam",
  lastName: `Quill${runId}`,
  dateOfBirth: `${new Date().getFullYear() - 45}-02-20`,
  /** Setup key shown by the portal, read in the two-step sign-in step. */
  totpSecret: null,
  recoveryCodes: [],
};

const emergencyReason = `Arrived unconscious by ambulance, allergy history needed (${runId})`;

const allergy = { substance: "Penicillin", reaction: "Hives", severity: "severe", severityLabel: "Severe" };

const appointmentDate = addDays(todayIn(BROWSER_TIME_ZONE), 5);
const appointment = {
  date: appointmentDate,
  time: "10:30",
  reason: "Cough for two weeks",
  visitTypeLabel: "In person",
  // The portal shows times as "Tue 9 Mar 2027, 1:00 PM" followed by the zone abbreviation.
  shownAs: `${formatCalendarDay(appointmentDate)}, 10:30 AM`,
};

const state = {
  portal: null,
  browser: null,
  /** Sessions (context, page, problems) by who uses them, for screenshots on failure. */
  sessions: {},
  /** Name of the first failed scenario step, after which the dependent steps are skipped. */
  failedStep: null,
  anyFailed: false,
  /** Accessibility and page problems found in the running step. */
  findings: [],
  auditedPages: new Set(),
};

describe("patient portal", () => {
  before(
    async () => {
      await rm(ARTIFACTS_DIR, { recursive: true, force: true });
      state.portal = await startPortal();
      state.browser = await launchBrowser();
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(async () => {
    await state.browser?.close();
    if (state.portal === null) {
      return;
    }
    await state.portal.stop();
    if (state.anyFailed) {
      const log = await state.portal.readLog();
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      await writeFile(path.join(ARTIFACTS_DIR, "server.log"), log);
      process.stderr.write(`\n--- portal server output (copied to e2e/artifacts/server.log) ---\n${log}\n--- end ---\n`);
    }
    await state.portal.removeWorkDir();
  });

  step("patient registers and sees the dashboard", async () => {
    const session = await openPortalPage(state.browser, state.portal.baseUrl, { phone: true });
    state.sessions.patient = session;
    const { page } = session;

    const landing = await page.goto("/");
    assertStrictContentSecurityPolicy(landing);
    await heading(page, "Your clinic, online").waitFor();
    // The header shows the sign-in links once the app has checked for an existing session.
    await page.getByRole("navigation", { name: "Account", exact: true }).waitFor();
    await auditPage(session, "landing");

    await page.getByRole("main").getByRole("link", { name: "Create an account", exact: true }).click();
    await page.waitForURL(pathIs("/register"));
    await heading(page, "Create an account").waitFor();
    await auditPage(session, "register");

    const consent = page.getByRole("checkbox", { name: /agree to the privacy policy/i });
    assert.equal(await consent.isChecked(), false, "the privacy policy checkbox must start unticked");
    const labelLinks = await consent.evaluate((input) =>
      [...input.labels]
        .flatMap((label) => [...label.querySelectorAll("a")])
        .map((link) => ({ text: link.textContent.trim(), href: link.getAttribute("href") })),
    );
    assert.deepEqual(
      labelLinks,
      [{ text: "privacy policy", href: "/privacy" }],
      "the checkbox label must link to the privacy policy",
    );

    await page.getByRole("textbox", { name: "Email", exact: true }).fill(patient.email);
    await page.getByLabel("Password", { exact: true }).fill(patient.password);
    await page.getByRole("textbox", { name: "First name", exact: true }).fill(patient.firstName);
    await page.getByRole("textbox", { name: "Last name", exact: true }).fill(patient.lastName);
    await page.getByLabel("Date of birth", { exact: true }).fill(patient.dateOfBirth);
    await consent.check();

    const registered = page.waitForResponse(isRequest("POST", "/api/v1/auth/register/patient"));
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    const registration = await expectJson(await registered, 201);
    await page.waitForURL(pathIs("/dashboard"));

    await heading(page, `Hello, ${patient.firstName}`).waitFor();
    const tip = page.getByRole("region", { name: "Tip of the day" });
    await tip.waitFor();
    const tipTitle = await tip.getByRole("heading", { level: 3 }).innerText();
    assert.notEqual(tipTitle.trim(), "", "the tip of the day has an empty title");
    assert.match(await tip.innerText(), /For: Young adults \(18 to 39\)/);

    await assertTokenOnlyInMemory(session, registration.accessToken);
    await auditPage(session, "dashboard");
  });

  step("patient adds an allergy to the profile", async () => {
    const session = state.sessions.patient;
    const { page } = session;

    await mainNav(page).getByRole("link", { name: "Profile", exact: true }).click();
    await page.waitForURL(pathIs("/profile"));
    await heading(page, "Your profile").waitFor();

    await page.getByRole("button", { name: "Add an allergy", exact: true }).click();
    const row = page.getByRole("group", { name: "Allergy 1", exact: true });
    const substance = row.getByRole("textbox", { name: "Substance", exact: true });
    const reaction = row.getByRole("textbox", { name: "Reaction", exact: true });
    const severity = row.getByRole("combobox", { name: "Severity", exact: true });
    await substance.fill(allergy.substance);
    await reaction.fill(allergy.reaction);
    await severity.selectOption(allergy.severity);

    const saved = page.waitForResponse(isRequest("PUT", "/api/v1/patient/profile"));
    await page.getByRole("button", { name: "Save profile", exact: true }).click();
    await expectJson(await saved, 200);
    await page.getByRole("status").filter({ hasText: "Your profile was saved" }).waitFor();

    await page.reload();
    await heading(page, "Your profile").waitFor();
    await substance.waitFor();
    assert.equal(await substance.inputValue(), allergy.substance);
    assert.equal(await reaction.inputValue(), allergy.reaction);
    assert.equal(await severity.inputValue(), allergy.severity);
    // The primary provider list loads in a separate request, so wait for it before axe checks the form.
    await page.getByRole("combobox", { name: "Primary provider", exact: true }).waitFor();
    await auditPage(session, "profile");
  });

  step("patient requests an appointment", async () => {
    const session = state.sessions.patient;
    const { page } = session;

    await mainNav(page).getByRole("link", { name: "Appointments", exact: true }).click();
    await page.waitForURL(pathIs("/appointments"));
    await heading(page, "Appointments").waitFor();

    const form = page.getByRole("region", { name: "Request an appointment" });
    const providerSelect = form.getByRole("combobox", { name: "Provider", exact: true });
    await providerSelect.waitFor();
    const options = await providerSelect
      .locator("option")
      .evaluateAll((elements) => elements.map((option) => ({ value: option.value, label: option.textContent.trim() })));
    const demoProvider = options.find((option) => option.label.startsWith(`${DEMO_PROVIDER.name} (`));
    assert.ok(
      demoProvider,
      `the provider list has no option for ${DEMO_PROVIDER.name}; it lists: ${options.map((o) => o.label).join(", ")}`,
    );
    await providerSelect.selectOption(demoProvider.value);
    await form.getByLabel("Date", { exact: true }).fill(appointment.date);
    await form.getByLabel("Time", { exact: true }).fill(appointment.time);
    const visitType = form.getByRole("combobox", { name: "Visit type", exact: true });
    await visitType.selectOption({ label: appointment.visitTypeLabel });
    await form.getByRole("textbox", { name: "Reason for visit", exact: true }).fill(appointment.reason);

    const requested = page.waitForResponse(isRequest("POST", "/api/v1/patient/appointments"));
    await form.getByRole("button", { name: "Request appointment", exact: true }).click();
    await expectJson(await requested, 201);
    await form.getByRole("status").filter({ hasText: "was sent" }).waitFor();

    const upcoming = page.getByRole("region", { name: "Upcoming appointments" });
    const card = upcoming.getByRole("listitem").filter({ hasText: appointment.reason });
    await card.waitFor();
    const cardText = await card.innerText();
    assert.match(cardText, /Requested/);
    assert.ok(cardText.includes(DEMO_PROVIDER.name), `the appointment card does not name the provider:\n${cardText}`);
    assert.ok(cardText.includes(appointment.visitTypeLabel), `the card does not show the visit type:\n${cardText}`);
    const when = await card.getByRole("heading").innerText();
    assert.ok(when.startsWith(appointment.shownAs), `the card shows "${when}", expected "${appointment.shownAs} …"`);
    await auditPage(session, "appointments");
  });

  step("patient signs out", async () => {
    const session = state.sessions.patient;
    const { page } = session;

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(pathIs("/signin"));
    await heading(page, "Sign in").waitFor();
    await page.getByRole("status").filter({ hasText: "You are signed out." }).waitFor();
    await page.getByRole("navigation", { name: "Account", exact: true }).waitFor();
    await auditPage(session, "sign-in");

    await page.goto("/dashboard");
    await page.waitForURL(pathIs("/signin"));
    await heading(page, "Sign in").waitFor();
    assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0, "the header still offers Sign out");
  });

  step("provider reviews the record and confirms", async () => {
    const session = await openPortalPage(state.browser, state.portal.baseUrl, { phone: false });
    state.sessions.provider = session;
    const { page } = session;

    await page.goto("/signin");
    await heading(page, "Sign in").waitFor();
    const accessToken = await signIn(page, DEMO_PROVIDER, "/provider/patients");
    await assertTokenOnlyInMemory(session, accessToken);
    await heading(page, "Patients").waitFor();
    await page.getByRole("status").filter({ hasText: /^\d+ patients?$/ }).waitFor();
    await auditPage(session, "provider patients");

    await page.getByRole("searchbox", { name: "Search patients" }).fill(patient.searchPrefix);
    await page.getByRole("status").filter({ hasText: `1 patient match “${patient.searchPrefix}”` }).waitFor();
    const patientLink = page.getByRole("link", { name: patient.fullName, exact: true });
    const patientRow = page.getByRole("row").filter({ has: patientLink });
    assert.ok(
      (await patientRow.innerText()).includes(formatDateOfBirth(patient.dateOfBirth)),
      "the search result does not show the date of birth",
    );

    await patientLink.click();
    await page.waitForURL((url) => url.pathname.startsWith("/provider/patients/"));
    await heading(page, "Patient record").waitFor();
    const allergies = page.getByRole("region", { name: "Allergies", exact: true });
    await allergies.getByText(allergy.substance).waitFor();
    const allergyText = await allergies.innerText();
    assert.ok(allergyText.includes(allergy.severityLabel), `the allergy has no severity:\n${allergyText}`);
    assert.ok(allergyText.includes(`Reaction: ${allergy.reaction}`), `the allergy has no reaction:\n${allergyText}`);
    const personal = await page.getByRole("region", { name: "Personal details" }).innerText();
    assert.ok(personal.includes(patient.fullName), `the record does not show the patient's name:\n${personal}`);
    await assertReadOnlyRecord(page);
    await auditPage(session, "provider patient record");

    const firstPage = () => mainNav(page).getByRole("link", { name: "Appointment requests", exact: true }).click();
    const requestedCard = await findAppointmentCard(page, patient.fullName, firstPage);
    await heading(page, "Appointment requests").waitFor();
    const statusFilter = page.getByRole("combobox", { name: "Show appointments that are" });
    assert.equal(await statusFilter.inputValue(), "requested", "the list must show requested appointments first");
    const requestedText = await requestedCard.innerText();
    assert.ok(requestedText.includes(appointment.reason), `the request does not show the reason:\n${requestedText}`);
    assert.match(requestedText, /Requested/);
    await auditPage(session, "provider appointment requests");

    const confirmed = page.waitForResponse(isRequest("POST", /^\/api\/v1\/provider\/appointments\/[^/]+\/confirm$/));
    const confirmButton = requestedCard.getByRole("button", {
      name: `Confirm appointment for ${patient.fullName}`,
      exact: true,
    });
    await confirmButton.click();
    await expectJson(await confirmed, 200);
    await eventually(async () => {
      assert.equal(await requestedCard.count(), 0, "the confirmed appointment is still listed as requested");
    });

    const showConfirmed = () => statusFilter.selectOption("confirmed");
    const confirmedCard = await findAppointmentCard(page, patient.fullName, showConfirmed);
    const confirmedText = await confirmedCard.innerText();
    assert.match(confirmedText, /Confirmed/);
    assert.equal(await confirmedCard.getByRole("button").count(), 0, "a confirmed appointment still offers buttons");

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(pathIs("/signin"));
  });

  step("patient sees the provider in access history", async () => {
    const session = state.sessions.patient;
    const { page } = session;

    await heading(page, "Sign in").waitFor();
    const accessToken = await signIn(page, patient, "/dashboard");
    await assertTokenOnlyInMemory(session, accessToken);
    const upcoming = page.getByRole("region", { name: "Upcoming appointments" });
    const upcomingItem = upcoming.getByRole("listitem").filter({ hasText: DEMO_PROVIDER.name });
    await upcomingItem.waitFor();
    assert.match(await upcomingItem.innerText(), /Confirmed/);
    await auditPage(session, "dashboard");

    await mainNav(page).getByRole("link", { name: "Access history", exact: true }).click();
    await page.waitForURL(pathIs("/access-log"));
    await heading(page, "Access history").waitFor();
    const table = page.getByRole("table", { name: "Who accessed your record" });
    await table.waitFor();
    const providerRows = await table.getByRole("row").filter({ hasText: DEMO_PROVIDER.name }).allInnerTexts();
    const actor = `${DEMO_PROVIDER.name} (Provider)`;
    assert.ok(
      providerRows.some((row) => row.includes(actor) && row.includes("Viewed the profile")),
      `no "${actor}" row for viewing the profile; rows naming the provider:\n${providerRows.join("\n")}`,
    );
    assert.ok(
      providerRows.some((row) => row.includes(actor) && row.includes("Confirmed an appointment")),
      `no "${actor}" row for confirming the appointment; rows naming the provider:\n${providerRows.join("\n")}`,
    );
    await auditPage(session, "access history");
  });

  step(
    "provider outside the care uses emergency access",
    async () => {
      const session = await openPortalPage(state.browser, state.portal.baseUrl, { phone: false });
      state.sessions.outsideProvider = session;
      const { page } = session;

      await page.goto("/register/provider");
      await heading(page, "Create a provider account").waitFor();
      await page.getByRole("textbox", { name: "Email", exact: true }).fill(outsideProvider.email);
      await page.getByLabel("Password", { exact: true }).fill(outsideProvider.password);
      await page.getByRole("textbox", { name: "First name", exact: true }).fill(outsideProvider.firstName);
      await page.getByRole("textbox", { name: "Last name", exact: true }).fill(outsideProvider.lastName);
      await page.getByRole("textbox", { name: "NPI number", exact: true }).fill(outsideProvider.npi);
      await page.getByRole("textbox", { name: "Specialty", exact: true }).fill(outsideProvider.specialty);
      await page.getByRole("textbox", { name: "Invite code", exact: true }).fill(DEMO_INVITE_CODE);
      await auditPage(session, "provider sign-up");
      const registered = page.waitForResponse(isRequest("POST", "/api/v1/auth/register/provider"));
      await page.getByRole("button", { name: "Create provider account", exact: true }).click();
      await expectJson(await registered, 201);
      await page.waitForURL(pathIs("/provider/patients"));
      await page.getByRole("status").filter({ hasText: "0 patients" }).waitFor();

      await page.getByRole("link", { name: "Request emergency access", exact: true }).click();
      await page.waitForURL(pathIs("/provider/emergency-access"));
      await heading(page, "Emergency access").waitFor();
      await page.getByRole("textbox", { name: "Patient's email", exact: true }).fill(DEMO_PATIENT.email);
      await page.getByLabel("Patient's date of birth", { exact: true }).fill(DEMO_PATIENT.dateOfBirth);
      await page.getByRole("textbox", { name: /^Reason/ }).fill(emergencyReason);
      await page.getByRole("checkbox", { name: /I confirm that this patient needs care from me now/ }).check();
      await auditPage(session, "emergency access");

      const granted = page.waitForResponse(isRequest("POST", "/api/v1/provider/emergency-access"));
      await page.getByRole("button", { name: "Open the record", exact: true }).click();
      const grant = await expectJson(await granted, 201);
      await page.waitForURL(pathIs(`/provider/patients/${grant.patientId}`));
      await heading(page, "Patient record").waitFor();
      await page.getByText(/^Emergency access until \d{1,2}:\d{2} [AP]M/).waitFor();
      const personal = await page.getByRole("region", { name: "Personal details" }).innerText();
      assert.ok(
        personal.includes(`${grant.firstName} ${grant.lastName}`),
        `the record does not show the patient's name:\n${personal}`,
      );
      assert.ok(personal.includes("12 Apr 1978"), `the record does not show the date of birth:\n${personal}`);
      await assertReadOnlyRecord(page);
      await auditPage(session, "emergency access record");
      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(pathIs("/signin"));

      await page.goto("/signin");
      await heading(page, "Sign in").waitFor();
      await signIn(page, DEMO_PATIENT, "/dashboard");
      await mainNav(page).getByRole("link", { name: "Access history", exact: true }).click();
      await page.waitForURL(pathIs("/access-log"));
      await page.getByRole("note", { name: "This page includes emergency access" }).waitFor();
      const table = page.getByRole("table", { name: "Who accessed your record" });
      const grantRow = table.getByRole("row").filter({ hasText: "Opened your record in an emergency" });
      const grantText = await grantRow.innerText();
      assert.ok(grantText.includes("Emergency access"), `the grant has no emergency badge:\n${grantText}`);
      assert.ok(grantText.includes(`${outsideProvider.fullName} (Provider)`), `the grant does not name the provider:\n${grantText}`);
      assert.ok(grantText.includes(emergencyReason), `the grant does not show the reason:\n${grantText}`);
      await table.getByRole("row").filter({ hasText: "Viewed the profile under emergency access" }).first().waitFor();
      await auditPage(session, "emergency access history");
    },
    { independent: true },
  );

  step(
    "public pages load without signing in",
    async () => {
      const session = await openPortalPage(state.browser, state.portal.baseUrl, { phone: true });
      state.sessions.visitor = session;
      const { page } = session;

      await page.goto("/health");
      await heading(page, "Health information").waitFor();
      const accountLinks = page.getByRole("navigation", { name: "Account", exact: true });
      await accountLinks.getByRole("link", { name: "Sign in" }).waitFor();
      await auditPage(session, "health information");

      await page.getByRole("navigation", { name: "Footer" }).getByRole("link", { name: "Privacy policy" }).click();
      await page.waitForURL(pathIs("/privacy"));
      await heading(page, "Privacy policy").waitFor();
      await auditPage(session, "privacy policy");
    },
    { independent: true },
  );

  step(
    "patient signs in with an authenticator code",
    async () => {
      const session = await openPortalPage(state.browser, state.portal.baseUrl, { phone: true });
      state.sessions.totpPatient = session;
      const { page } = session;

      await page.goto("/register");
      await heading(page, "Create an account").waitFor();
      await page.getByRole("textbox", { name: "Email", exact: true }).fill(totpPatient.email);
      await page.getByLabel("Password", { exact: true }).fill(totpPatient.password);
      await page.getByRole("textbox", { name: "First name", exact: true }).fill(totpPatient.firstName);
      await page.getByRole("textbox", { name: "Last name", exact: true }).fill(totpPatient.lastName);
      await page.getByLabel("Date of birth", { exact: true }).fill(totpPatient.dateOfBirth);
      await page.getByRole("checkbox", { name: /agree to the privacy policy/i }).check();
      const registered = page.waitForResponse(isRequest("POST", "/api/v1/auth/register/patient"));
      await page.getByRole("button", { name: "Create account", exact: true }).click();
      await expectJson(await registered, 201);
      await page.waitForURL(pathIs("/dashboard"));

      // Signing out and in again checks that the account signs in with the password alone
      // before two-step sign-in is turned on.
      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(pathIs("/signin"));
      await heading(page, "Sign in").waitFor();
      await signIn(page, totpPatient, "/dashboard");

      await mainNav(page).getByRole("link", { name: "Account", exact: true }).click();
      await page.waitForURL(pathIs("/account"));
      await heading(page, "Account").waitFor();
      await auditPage(session, "account");

      await page.getByRole("link", { name: "Manage two-step sign-in", exact: true }).click();
      await page.waitForURL(pathIs("/account/two-step-sign-in"));
      await heading(page, "Two-step sign-in").waitFor();
      const startButton = page.getByRole("button", { name: "Set up two-step sign-in", exact: true });
      await startButton.waitFor();
      await auditPage(session, "two-step sign-in");

      const started = page.waitForResponse(isRequest("POST", "/api/v1/auth/mfa/totp/setup"));
      await startButton.click();
      const setup = await expectJson(await started, 200);
      await page.getByRole("heading", { level: 2, name: "Set up your authenticator app", exact: true }).waitFor();
      await page.getByRole("img", { name: "QR code to scan with your authenticator app" }).waitFor();
      // The key for manual entry, read from the page as a person would type it into an app.
      const setupKey = (await page.getByRole("main").locator("code.setup-key").innerText()).replace(/\s/g, "");
      assert.match(setupKey, /^[A-Z2-7]+=*$/, "the setup key is not base32");
      assert.equal(setupKey, setup.secret, "the page shows a setup key other than the server's secret");
      totpPatient.totpSecret = setupKey;
      await auditPage(session, "authenticator setup");

      const totp = new TOTP({ secret: Secret.fromBase32(setupKey), algorithm: "SHA1", digits: 6, period: 30 });
      const confirmedAt = Date.now();
      const codeField = page.getByRole("textbox", { name: "6-digit code", exact: true });
      await codeField.fill(totp.generate({ timestamp: confirmedAt }));
      const confirmed = page.waitForResponse(isRequest("POST", "/api/v1/auth/mfa/totp/confirm"));
      await page.getByRole("button", { name: "Turn on two-step sign-in", exact: true }).click();
      const { recoveryCodes } = await expectJson(await confirmed, 200);
      totpPatient.recoveryCodes = recoveryCodes;
      assert.equal(recoveryCodes.length, 10, "the portal must return 10 recovery codes");

      await page.getByRole("heading", { level: 2, name: "Save your recovery codes", exact: true }).waitFor();
      const shownCodes = await page.getByRole("list", { name: "Recovery codes", exact: true }).getByRole("listitem").allInnerTexts();
      assert.deepEqual(
        shownCodes.map((code) => code.trim()),
        recoveryCodes,
        "the page must show the recovery codes that the server returned",
      );
      for (const code of shownCodes) {
        assert.match(code.trim(), /^[A-Z0-9]{5}-[A-Z0-9]{5}$/, "a recovery code is not shown as ABCDE-FGHJK");
      }
      await auditPage(session, "recovery codes");
      await page.getByRole("button", { name: "I have saved my codes", exact: true }).click();
      await page.getByRole("heading", { level: 2, name: "Two-step sign-in is on", exact: true }).waitFor();

      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(pathIs("/signin"));
      await heading(page, "Sign in").waitFor();
      await page.getByRole("textbox", { name: "Email", exact: true }).fill(totpPatient.email);
      await page.getByLabel("Password", { exact: true }).fill(totpPatient.password);
      const passwordChecked = page.waitForResponse(isRequest("POST", "/api/v1/auth/login"));
      await page.getByRole("main").getByRole("button", { name: "Sign in", exact: true }).click();
      const challenge = await expectJson(await passwordChecked, 200);
      assert.equal(challenge.mfaRequired, true, "the right password must lead to the second step");
      assert.equal(challenge.accessToken, undefined, "the password step alone must not return an access token");
      await heading(page, "Enter your sign-in code").waitFor();
      assert.ok(pathIs("/signin")(new URL(page.url())), `the second step left the sign-in page for ${page.url()}`);
      await auditPage(session, "second sign-in step");

      const wrongCode = codeOutsideWindow(totp, Date.now());
      await codeField.fill(wrongCode);
      const rejected = page.waitForResponse(isRequest("POST", "/api/v1/auth/login/mfa"));
      await page.getByRole("button", { name: "Verify and sign in", exact: true }).click();
      const rejection = await rejected;
      assert.equal(rejection.status(), 401, `a wrong code returned ${rejection.status()}: ${await rejection.text()}`);
      await page.getByText(/^That code is not correct or was already used\./).waitFor();
      assert.ok(pathIs("/signin")(new URL(page.url())), `a wrong code led to ${page.url()}`);
      await heading(page, "Enter your sign-in code").waitFor();
      assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0, "a wrong code signed the patient in");
      await auditPage(session, "second sign-in step with a wrong code");

      // The portal accepts each 30-second step once, and confirming the setup used the step
      // of `confirmedAt`, so the sign-in code must come from a later step.
      const nextStepStart = (totp.counter({ timestamp: confirmedAt }) + 1) * totp.period * 1000;
      const waitMs = nextStepStart - Date.now();
      if (waitMs > 0) {
        await sleep(waitMs);
      }
      await codeField.fill(totp.generate({ timestamp: Date.now() }));
      const accepted = page.waitForResponse(isRequest("POST", "/api/v1/auth/login/mfa"));
      await page.getByRole("button", { name: "Verify and sign in", exact: true }).click();
      const signedIn = await expectJson(await accepted, 200);
      await page.waitForURL(pathIs("/dashboard"));
      await heading(page, `Hello, ${totpPatient.firstName}`).waitFor();
      await assertTokenOnlyInMemory(session, signedIn.accessToken);
    },
    { independent: true },
  );

  step(
    "the server log holds no health data, passwords or tokens",
    async () => {
      // The demo patient's seeded record, read through the API before the log is read, so
      // these requests' own log lines are searched too.
      const seeded = await seededRecord(state.portal.baseUrl, DEMO_PATIENT);
      const log = await state.portal.readErrorLog();
      const lines = log.split("\n").filter((line) => line.trim() !== "");
      assert.ok(lines.length > 20, `the server logged only ${lines.length} lines`);
      for (const line of lines) {
        assert.doesNotThrow(() => JSON.parse(line), `a log line is not JSON: ${line.slice(0, 200)}`);
      }

      const secrets = {
        "patient email": patient.email,
        "patient password": patient.password,
        "patient last name": patient.lastName,
        "patient date of birth": patient.dateOfBirth,
        "allergy substance": allergy.substance,
        "appointment reason": appointment.reason,
        "provider email": outsideProvider.email,
        "provider password": outsideProvider.password,
        "provider last name": outsideProvider.lastName,
        "provider NPI": outsideProvider.npi,
        "emergency reason": emergencyReason,
        "demo patient email": DEMO_PATIENT.email,
        "demo patient password": DEMO_PATIENT.password,
        "demo patient date of birth": DEMO_PATIENT.dateOfBirth,
        "demo provider password": DEMO_PROVIDER.password,
        "two-step patient email": totpPatient.email,
        "two-step patient password": totpPatient.password,
        "two-step patient last name": totpPatient.lastName,
      };
      if (totpPatient.totpSecret !== null) {
        secrets["two-step patient setup key"] = totpPatient.totpSecret;
      }
      totpPatient.recoveryCodes.forEach((code, index) => {
        secrets[`two-step patient recovery code ${index + 1}`] = code;
      });
      for (const [field, value] of Object.entries(seeded)) {
        secrets[`demo patient ${field}`] = value;
      }
      assert.ok(Object.keys(seeded).length >= 5, `only ${Object.keys(seeded).length} seeded values were read`);
      for (const [who, session] of Object.entries(state.sessions)) {
        session.accessTokens.forEach((token, index) => {
          secrets[`${who} access token ${index + 1}`] = token;
        });
        for (const cookie of await session.context.cookies()) {
          secrets[`${who} cookie ${cookie.name}`] = cookie.value;
        }
      }
      const tokenCount = Object.keys(secrets).filter((name) => name.includes("access token")).length;
      assert.ok(tokenCount >= 4, `only ${tokenCount} access tokens were captured`);

      // Names only in the message: the values themselves must not reach the test output either.
      const found = Object.entries(secrets)
        .filter(([, value]) => value.length >= 4 && log.includes(value))
        .map(([name]) => name);
      assert.deepEqual(found, [], "the server log contains values it must never hold");
      assert.ok(!JWT_PATTERN.test(log), "the server log contains a token");
    },
    { independent: true },
  );

  it("axe checked every visited page", (t) => {
    if (state.failedStep !== null) {
      t.skip(`step "${state.failedStep}" failed, so some pages were not visited`);
      return;
    }
    const missing = PAGES_TO_AUDIT.filter((name) => !state.auditedPages.has(name));
    assert.deepEqual(missing, [], "pages visited without an axe check");
  });
});

/**
 * Signs in through the API and returns the text values of the patient's own profile that are
 * health data or contact details, by field name.
 */
async function seededRecord(baseUrl, { email, password }) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(login.status, 200, "the demo patient's API sign-in failed");
  const { accessToken } = await login.json();
  const response = await fetch(`${baseUrl}/api/v1/patient/profile`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  assert.equal(response.status, 200, "reading the demo patient's profile failed");
  const profile = await response.json();

  const values = {
    "first name": profile.firstName,
    "last name": profile.lastName,
    phone: profile.phone,
    "address line": profile.address?.line1,
    "emergency contact name": profile.emergencyContact?.name,
    "emergency contact phone": profile.emergencyContact?.phone,
  };
  for (const [index, item] of (profile.allergies ?? []).entries()) {
    values[`allergy ${index + 1} reaction`] = item.reaction;
  }
  for (const [index, item] of (profile.medications ?? []).entries()) {
    values[`medication ${index + 1}`] = item.name;
  }
  for (const [index, item] of (profile.conditions ?? []).entries()) {
    values[`condition ${index + 1}`] = item.name;
  }
  values["access token"] = accessToken;
  return Object.fromEntries(Object.entries(values).filter(([, value]) => typeof value === "string" && value !== ""));
}

/**
 * Declares one step of the scenario as a test.
 *
 * A step is skipped once an earlier one has failed, because it builds on that step's state,
 * unless it is `independent`. Accessibility and page problems fail a step only after its
 * actions have run, so the later steps still run and report their own findings.
 */
function step(name, body, { independent = false } = {}) {
  it(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
    if (!independent && state.failedStep !== null) {
      t.skip(`step "${state.failedStep}" failed`);
      return;
    }
    state.findings = [];
    try {
      await body();
    } catch (error) {
      state.anyFailed = true;
      if (!independent) {
        state.failedStep = name;
      }
      for (const finding of state.findings) {
        t.diagnostic(finding);
      }
      await saveScreenshots(name);
      throw error;
    }
    if (state.findings.length > 0) {
      state.anyFailed = true;
      await saveScreenshots(name);
      throw new assert.AssertionError({ message: state.findings.join("\n\n") });
    }
  });
}

/** Runs axe on the page and records serious or critical violations and page problems for the step. */
async function auditPage({ page, problems }, pageName) {
  state.auditedPages.add(pageName);
  try {
    await assertNoSeriousAxeViolations(page, pageName);
  } catch (error) {
    if (!(error instanceof assert.AssertionError)) {
      throw error;
    }
    state.findings.push(error.message);
  }
  if (problems.length > 0) {
    state.findings.push(`problems up to the ${pageName} page (${page.url()}):\n- ${problems.join("\n- ")}`);
    problems.length = 0;
  }
}

/**
 * Asserts that a page response carries a content security policy that allows only the portal's
 * own scripts and styles, so the check for violations in `openPortalPage` tests that policy.
 */
function assertStrictContentSecurityPolicy(response) {
  const policy = response.headers()["content-security-policy"];
  assert.ok(policy, "the page has no Content-Security-Policy header");
  const directives = new Map(
    policy
      .split(";")
      .map((entry) => entry.trim().split(/\s+/))
      .map(([name, ...sources]) => [name, sources.join(" ")]),
  );
  assert.equal(directives.get("script-src"), "'self'", `script-src in ${policy}`);
  assert.equal(directives.get("style-src"), "'self'", `style-src in ${policy}`);
  assert.equal(directives.get("frame-ancestors"), "'none'", `frame-ancestors in ${policy}`);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/, "the policy allows inline code or eval");
}

/** Saves a full-page screenshot of every open page to `e2e/artifacts/`. */
async function saveScreenshots(stepName) {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const slug = stepName.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  for (const [user, { page }] of Object.entries(state.sessions)) {
    if (page.isClosed()) {
      continue;
    }
    const file = path.join(ARTIFACTS_DIR, `${slug}--${user}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch((error) => {
      process.stderr.write(`screenshot ${file} failed: ${error.message}\n`);
    });
  }
}

/** Signs in on the sign-in page, waits for the landing page and returns the access token. */
async function signIn(page, { email, password }, landingPath) {
  await page.getByRole("textbox", { name: "Email", exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  const signedIn = page.waitForResponse(isRequest("POST", "/api/v1/auth/login"));
  await page.getByRole("main").getByRole("button", { name: "Sign in", exact: true }).click();
  const session = await expectJson(await signedIn, 200);
  await page.waitForURL(pathIs(landingPath));
  return session.accessToken;
}

/**
 * Asserts that web storage and script-readable cookies hold no access token, and that the
 * refresh token is in an HttpOnly, SameSite=Strict cookie scoped to the auth API.
 */
async function assertTokenOnlyInMemory({ page, context }, accessToken) {
  assert.equal(typeof accessToken, "string", "the sign-in response has no accessToken");
  const stored = await page.evaluate(() => ({
    localStorage: Object.entries(window.localStorage),
    sessionStorage: Object.entries(window.sessionStorage),
    cookie: document.cookie,
  }));
  for (const area of ["localStorage", "sessionStorage"]) {
    for (const [key, value] of stored[area]) {
      assert.ok(!value.includes(accessToken), `${area} item "${key}" contains the access token`);
      assert.doesNotMatch(value, JWT_PATTERN, `${area} item "${key}" contains a JSON Web Token`);
    }
  }
  assert.ok(!stored.cookie.includes(accessToken), "a cookie readable by scripts contains the access token");
  assert.doesNotMatch(stored.cookie, JWT_PATTERN, "a cookie readable by scripts contains a JSON Web Token");

  const refreshCookie = (await context.cookies()).find((cookie) => cookie.name === "portal_refresh");
  assert.ok(refreshCookie, "the refresh cookie portal_refresh is missing");
  assert.equal(refreshCookie.httpOnly, true, "the refresh cookie must be HttpOnly");
  assert.equal(refreshCookie.sameSite, "Strict", "the refresh cookie must be SameSite=Strict");
  assert.equal(refreshCookie.path, "/api/v1/auth", "the refresh cookie must be scoped to /api/v1/auth");
}

/** Asserts that the patient record offers no form control and no editing button. */
async function assertReadOnlyRecord(page) {
  await page.getByText("Read-only", { exact: true }).waitFor();
  await page.getByText("You can view this record but not change it.").waitFor();

  const main = page.getByRole("main");
  const editableRoles = [
    "textbox",
    "searchbox",
    "combobox",
    "listbox",
    "checkbox",
    "radio",
    "spinbutton",
    "switch",
    "slider",
  ];
  for (const role of editableRoles) {
    assert.equal(await main.getByRole(role).count(), 0, `the read-only record contains a ${role}`);
  }
  const formControls = main.locator("input, select, textarea, [contenteditable]:not([contenteditable='false'])");
  assert.equal(await formControls.count(), 0, "the read-only record contains form controls");
  const editButtons = main.getByRole("button", { name: /\b(save|edit|add|remove|delete|update)\b/i });
  assert.deepEqual(await editButtons.allInnerTexts(), [], "the read-only record contains editing buttons");
}

/**
 * Runs `showPage` (an action that loads the provider's appointment list), then follows the
 * list's Next button until the API returns the patient's appointment, and returns its card.
 */
async function findAppointmentCard(page, patientName, showPage) {
  let listed = await listAfter(page, showPage);
  for (;;) {
    if (listed.items.some((item) => item.patientName === patientName)) {
      const card = page.getByRole("main").getByRole("listitem").filter({ hasText: patientName });
      await card.waitFor();
      return card;
    }
    const pageCount = Math.ceil(listed.total / listed.limit);
    assert.ok(listed.page < pageCount, `no appointment for ${patientName} on any of the ${pageCount} list pages`);
    const pager = page.getByRole("navigation", { name: "Appointments pages" });
    listed = await listAfter(page, () => pager.getByRole("button", { name: "Next", exact: true }).click());
  }
}

/** Runs `action` and returns the body of the provider appointment list request it causes. */
async function listAfter(page, action) {
  const listed = page.waitForResponse(isRequest("GET", "/api/v1/provider/appointments"));
  await action();
  return expectJson(await listed, 200);
}

/**
 * Returns a well-formed 6-digit code that the portal rejects at `timestamp`, because it differs
 * from the codes of the current step and of the steps before and after, which the portal accepts
 * for clock drift.
 */
function codeOutsideWindow(totp, timestamp) {
  const stepMs = totp.period * 1000;
  const accepted = new Set([-1, 0, 1].map((offset) => totp.generate({ timestamp: timestamp + offset * stepMs })));
  let candidate = (Number(totp.generate({ timestamp })) + 500_000) % 1_000_000;
  while (accepted.has(String(candidate).padStart(6, "0"))) {
    candidate = (candidate + 1) % 1_000_000;
  }
  return String(candidate).padStart(6, "0");
}

/** Asserts the response status and returns the parsed JSON body. */
async function expectJson(response, expectedStatus) {
  const text = await response.text();
  const request = `${response.request().method()} ${new URL(response.url()).pathname}`;
  assert.equal(response.status(), expectedStatus, `${request} returned ${response.status()}: ${text}`);
  return JSON.parse(text);
}

/** Returns a response predicate for a method and a path (a string for an exact match, or a RegExp). */
function isRequest(method, pathPattern) {
  return (response) => {
    const pathname = new URL(response.url()).pathname;
    const pathMatches = typeof pathPattern === "string" ? pathname === pathPattern : pathPattern.test(pathname);
    return response.request().method() === method && pathMatches;
  };
}

function pathIs(pathname) {
  return (url) => url.pathname === pathname;
}

function heading(page, name) {
  return page.getByRole("heading", { level: 1, name, exact: true });
}

function mainNav(page) {
  return page.getByRole("navigation", { name: "Main", exact: true });
}

/**
 * Returns a random NPI with a valid check digit: the Luhn digit over the prefix 80840 and the
 * first nine digits.
 */
function randomNpi() {
  const firstNine = String(100_000_000 + randomInt(900_000_000));
  const digits = Array.from(`80840${firstNine}`, Number).reverse();
  const sum = digits.reduce((total, digit, index) => {
    if (index % 2 === 1) {
      return total + digit;
    }
    const doubled = digit * 2;
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return `${firstNine}${(10 - (sum % 10)) % 10}`;
}

function randomLetters(count) {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  return Array.from({ length: count }, () => letters[randomInt(letters.length)]).join("");
}

/** Returns today's date in `timeZone` as `YYYY-MM-DD`. */
function todayIn(timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(),
  );
}

/** Adds days to a `YYYY-MM-DD` date. */
function addDays(date, days) {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Formats `YYYY-MM-DD` as the portal shows a day, such as "Tue 9 Mar 2027". */
function formatCalendarDay(date) {
  const [year, month, day] = date.split("-").map(Number);
  const utc = new Date(Date.UTC(year, month - 1, day));
  const part = (options) => new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" }).format(utc);
  return `${part({ weekday: "short" })} ${day} ${part({ month: "short" })} ${year}`;
}

/** Formats `YYYY-MM-DD` as the portal shows a date of birth, such as "9 Mar 1980". */
function formatDateOfBirth(date) {
  return formatCalendarDay(date).replace(/^\w+ /, "");
}
