import { z } from "zod";
import { ApiError } from "@/lib/api/ApiError";
import { apiRequest } from "@/lib/api/client";
import {
  getAccessToken,
  getSessionSnapshot,
  SESSION_ENDED_NOTICE,
  startSession,
} from "@/lib/session/sessionStore";
import { PATIENT, sessionFor } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";

const itemSchema = z.object({ value: z.number() });
const DASHBOARD = "GET /api/v1/patient/dashboard";
const REFRESH = "POST /api/v1/auth/refresh";

describe("apiRequest", () => {
  beforeEach(() => {
    startSession(sessionFor(PATIENT, "old-token"));
  });

  it("sends the access token as a bearer token", async () => {
    const fetch = installFetch({ [DASHBOARD]: () => jsonResponse(200, { value: 1 }) });

    await apiRequest("/api/v1/patient/dashboard", itemSchema);

    expect(fetch.requestsTo(DASHBOARD)[0]?.headers.get("Authorization")).toBe("Bearer old-token");
  });

  it("refreshes once on 401 and retries", async () => {
    const fetch = installFetch({
      [DASHBOARD]: [() => problemResponse(401), () => jsonResponse(200, { value: 7 })],
      [REFRESH]: () => jsonResponse(200, sessionFor(PATIENT, "new-token")),
    });

    const result = await apiRequest("/api/v1/patient/dashboard", itemSchema);

    expect(result).toEqual({ value: 7 });
    expect(fetch.requestsTo(REFRESH)).toHaveLength(1);
    expect(fetch.requestsTo(REFRESH)[0]?.headers.get("X-Requested-With")).toBe("portal");
    const calls = fetch.requestsTo(DASHBOARD);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers.get("Authorization")).toBe("Bearer new-token");
    expect(getAccessToken()).toBe("new-token");
  });

  it("clears session when refresh fails", async () => {
    const fetch = installFetch({
      [DASHBOARD]: () => problemResponse(401),
      [REFRESH]: () => problemResponse(401),
    });

    const failure = apiRequest("/api/v1/patient/dashboard", itemSchema);

    await expect(failure).rejects.toMatchObject({ status: 401 });
    expect(fetch.requestsTo(DASHBOARD)).toHaveLength(1);
    expect(fetch.requestsTo(REFRESH)).toHaveLength(1);
    expect(getAccessToken()).toBeNull();
    expect(getSessionSnapshot().status).toBe("signedOut");
    expect(getSessionSnapshot().user).toBeNull();
    expect(getSessionSnapshot().notice).toBe(SESSION_ENDED_NOTICE);
  });

  it("clears session when retry fails", async () => {
    const fetch = installFetch({
      [DASHBOARD]: () => problemResponse(401),
      [REFRESH]: () => jsonResponse(200, sessionFor(PATIENT, "new-token")),
    });

    await expect(apiRequest("/api/v1/patient/dashboard", itemSchema)).rejects.toBeInstanceOf(ApiError);

    expect(fetch.requestsTo(DASHBOARD)).toHaveLength(2);
    expect(fetch.requestsTo(REFRESH)).toHaveLength(1);
    expect(getSessionSnapshot().status).toBe("signedOut");
  });

  it("shares one refresh between concurrent 401s", async () => {
    const profile = "GET /api/v1/patient/profile";
    const fetch = installFetch({
      [DASHBOARD]: [() => problemResponse(401), () => jsonResponse(200, { value: 1 })],
      [profile]: [() => problemResponse(401), () => jsonResponse(200, { value: 2 })],
      [REFRESH]: () => jsonResponse(200, sessionFor(PATIENT, "new-token")),
    });

    const results = await Promise.all([
      apiRequest("/api/v1/patient/dashboard", itemSchema),
      apiRequest("/api/v1/patient/profile", itemSchema),
    ]);

    expect(results).toEqual([{ value: 1 }, { value: 2 }]);
    expect(fetch.requestsTo(REFRESH)).toHaveLength(1);
  });

  it("skips refresh for auth endpoints", async () => {
    const login = "POST /api/v1/auth/login";
    const fetch = installFetch({ [login]: () => problemResponse(401, [], "Email or password is wrong.") });

    await expect(
      apiRequest("/api/v1/auth/login", itemSchema, { method: "POST", body: { email: "a", password: "b" } }),
    ).rejects.toMatchObject({ status: 401, detail: "Email or password is wrong." });

    expect(fetch.requestsTo(REFRESH)).toHaveLength(0);
    expect(getSessionSnapshot().status).toBe("signedIn");
  });

  it("parses a problem document into an ApiError", async () => {
    installFetch({
      [DASHBOARD]: () => problemResponse(422, [{ field: "allergies[2].substance", message: "is required" }]),
    });

    const error: unknown = await apiRequest("/api/v1/patient/dashboard", itemSchema).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      title: "Problem",
      detail: "The request has invalid fields.",
      errors: [{ field: "allergies[2].substance", message: "is required" }],
    });
  });

  it("sends a JSON body with its content type", async () => {
    const put = "PUT /api/v1/patient/profile";
    const fetch = installFetch({ [put]: () => jsonResponse(200, { value: 3 }) });

    await apiRequest("/api/v1/patient/profile", itemSchema, { method: "PUT", body: { firstName: "Ana" } });

    const request = fetch.requestsTo(put)[0];
    expect(request?.headers.get("Content-Type")).toBe("application/json");
    expect(request?.body).toEqual({ firstName: "Ana" });
  });

  it("maps network failure to status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))));

    await expect(apiRequest("/api/v1/patient/dashboard", itemSchema)).rejects.toMatchObject({ status: 0 });
  });
});
