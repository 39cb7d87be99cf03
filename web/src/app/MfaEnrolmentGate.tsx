import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Navigate, Outlet } from "react-router";
import { ApiError } from "@/lib/api/ApiError";
import { useCurrentUser } from "@/features/mfa/api/mfa";

/** Path of the page where a user sets up two-step sign-in. */
export const TWO_STEP_SETUP_PATH = "/account/two-step-sign-in";

/**
 * Sends a user whose role requires two-step sign-in, and who has not set it up, to the setup
 * page.
 *
 * The server returns 403 for every page's data for such a user. So the gate requests
 * `GET /auth/me` only after a query of the page fails with 403, and pages of everyone else
 * cost no extra request. Until that response arrives the page renders as usual.
 */
export function MfaEnrolmentGate() {
  const queryClient = useQueryClient();
  const [forbiddenSeen, setForbiddenSeen] = useState(false);
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        const error: unknown = event.query.state.error;
        if (error instanceof ApiError && error.status === 403) {
          setForbiddenSeen(true);
        }
      }),
    [queryClient],
  );
  const currentUser = useCurrentUser(forbiddenSeen);

  if (currentUser.data?.mfaEnrolmentRequired === true) {
    return <Navigate to={TWO_STEP_SETUP_PATH} replace />;
  }
  return <Outlet />;
}
