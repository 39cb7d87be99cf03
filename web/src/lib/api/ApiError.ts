import { z } from "zod";

export interface FieldError {
  /** JSON path of the invalid value, for example `allergies[2].substance`. */
  field: string;
  message: string;
}

/** RFC 9457 problem document as the portal's API sends it. */
const problemSchema = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** Error thrown for every failed API call, including network failures (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];

  constructor(init: { status: number; title: string; detail?: string; errors?: FieldError[] }) {
    super(init.detail ?? init.title);
    this.name = "ApiError";
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail ?? "";
    this.errors = init.errors ?? [];
  }
}

const FALLBACK_TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Not allowed",
  404: "Not found",
  409: "Conflict",
  413: "Request too large",
  422: "Some details need fixing",
  429: "Too many attempts",
  500: "Something went wrong",
  503: "Service unavailable",
};

/** Builds an ApiError from a failed response, reading its problem document when it has one. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  const fallbackTitle = FALLBACK_TITLES[response.status] ?? "Request failed";
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Proxies and gateways can return HTML or an empty body, and the status is still useful.
  }

  const parsed = problemSchema.safeParse(body);
  if (!parsed.success) {
    return new ApiError({ status: response.status, title: fallbackTitle });
  }

  const problem = parsed.data;
  return new ApiError({
    status: response.status,
    title: problem.title ?? fallbackTitle,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    errors: problem.errors ?? [],
  });
}

/** Error for a request that never reached the server. */
export function networkError(): ApiError {
  return new ApiError({
    status: 0,
    title: "No connection",
    detail: "We could not reach the portal. Check your internet connection and try again.",
  });
}

/** Error for a success response whose body does not match the expected shape. */
export function unexpectedResponseError(): ApiError {
  return new ApiError({
    status: 0,
    title: "Unexpected response",
    detail: "The portal sent a reply we could not read. Please try again later.",
  });
}

/** Returns a message fit to show a person for any error a query or mutation can throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return "Too many attempts. Please wait a minute and try again.";
    }
    if (error.status >= 500) {
      return "The portal had a problem. Please try again in a few minutes.";
    }
    return error.detail || error.title;
  }
  return "Something went wrong. Please try again.";
}
