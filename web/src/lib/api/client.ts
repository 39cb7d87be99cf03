import type { z } from "zod";
import {
  ApiError,
  apiErrorFromResponse,
  networkError,
  unexpectedResponseError,
} from "@/lib/api/ApiError";
import { refreshSession } from "@/lib/session/refreshSession";
import { endSession, getAccessToken, SESSION_ENDED_NOTICE } from "@/lib/session/sessionStore";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RequestOptions {
  method?: HttpMethod;
  /** Value sent as the JSON body. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/** Auth endpoints return 401 for wrong credentials, so a 401 there never triggers a refresh. */
const AUTH_PREFIX = "/api/v1/auth/";

/**
 * Sends a request to the portal API and parses the JSON body with `schema`.
 *
 * Adds the in-memory access token. When a non-auth call gets 401, it refreshes the session
 * once and retries once. If that fails too, it ends the session so the app shows the sign-in
 * page. Every failure is thrown as an ApiError.
 */
export async function apiRequest<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: RequestOptions = {},
): Promise<z.infer<Schema>> {
  const response = await sendWithRefresh(path, options);
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw unexpectedResponseError();
  }
  return parsed.data;
}

/** Sends a request whose success response has no body, such as a 204. */
export async function apiSend(path: string, options: RequestOptions = {}): Promise<void> {
  await sendWithRefresh(path, options);
}

async function sendWithRefresh(path: string, options: RequestOptions): Promise<Response> {
  const response = await send(path, options);
  if (response.ok) {
    return response;
  }

  if (response.status !== 401 || path.startsWith(AUTH_PREFIX)) {
    throw await apiErrorFromResponse(response);
  }

  const refreshed = await refreshSession();
  if (refreshed) {
    const retried = await send(path, options);
    if (retried.ok) {
      return retried;
    }
    if (retried.status !== 401) {
      throw await apiErrorFromResponse(retried);
    }
  }

  endSession(SESSION_ENDED_NOTICE);
  throw new ApiError({ status: 401, title: "Not signed in", detail: SESSION_ENDED_NOTICE });
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers = new Headers({ Accept: "application/json" });
  const token = getAccessToken();
  if (token !== null) {
    headers.set("Authorization", `Bearer ${token}`);
  }
  if (path.startsWith(AUTH_PREFIX)) {
    headers.set("X-Requested-With", "portal");
  }

  const init: RequestInit = {
    method: options.method ?? "GET",
    headers,
    credentials: "same-origin",
    signal: options.signal ?? null,
  };
  if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    init.body = JSON.stringify(options.body);
  }

  try {
    return await fetch(path, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") {
      throw error;
    }
    throw networkError();
  }
}

/** Builds a query string from defined, non-empty values. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}
