import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function problemResponse(
  status: number,
  errors: { field: string; message: string }[] = [],
  detail = "The request has invalid fields.",
): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: "Problem", status, detail, errors }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

/**
 * Replaces global fetch with routes keyed by "METHOD /path" (query string ignored).
 *
 * Each handler may be a function or a list of functions used in turn, the last one repeating.
 * Requests without a route get a 599 response so a test fails loudly instead of hanging.
 */
export function installFetch(routes: Record<string, Handler | Handler[]>) {
  const requests: RecordedRequest[] = [];
  const counters = new Map<string, number>();

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    let href: string;
    if (typeof input === "string") {
      href = input;
    } else if (input instanceof URL) {
      href = input.href;
    } else {
      href = input.url;
    }
    const url = new URL(href, "http://localhost");
    const method = init?.method ?? "GET";
    const bodyText = typeof init?.body === "string" ? init.body : undefined;
    const request: RecordedRequest = {
      method,
      path: url.pathname,
      search: url.search,
      headers: new Headers(init?.headers),
      body: bodyText === undefined ? undefined : (JSON.parse(bodyText) as unknown),
    };
    requests.push(request);

    const key = `${method} ${url.pathname}`;
    const route = routes[key];
    if (route === undefined) {
      return new Response(`no test route for ${key}`, { status: 599 });
    }
    const handlers = Array.isArray(route) ? route : [route];
    const count = counters.get(key) ?? 0;
    counters.set(key, count + 1);
    const handler = handlers[Math.min(count, handlers.length - 1)];
    if (handler === undefined) {
      throw new Error(`empty handler list for ${key}`);
    }
    return handler(request);
  });

  vi.stubGlobal("fetch", fetchMock);
  return {
    requests,
    /** Returns the requests sent to one route, such as "POST /api/v1/auth/login". */
    requestsTo: (key: string) => requests.filter((request) => `${request.method} ${request.path}` === key),
  };
}
