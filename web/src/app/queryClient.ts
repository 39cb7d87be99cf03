import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "@/lib/api/ApiError";

const MAX_RETRIES = 2;

/** Retries only failures that may pass on a second try: no connection and 5xx. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES || !(error instanceof ApiError)) {
    return false;
  }
  return error.status === 0 || error.status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 30_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}
