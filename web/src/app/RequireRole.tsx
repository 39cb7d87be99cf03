import { Navigate, Outlet, useLocation } from "react-router";
import type { Role } from "@/lib/schemas/user";
import { homePathFor } from "@/lib/session/homePath";
import { useSession } from "@/lib/session/useSession";
import { LoadingState } from "@/lib/ui/States";

/**
 * Renders the child routes only for a signed-in user with one of `roles`.
 *
 * Signed-out visitors go to the sign-in page and users with another role go to their own
 * home page. This only shapes navigation, because the server checks the role on every request.
 */
export function RequireRole({ roles }: { roles: readonly Role[] }) {
  const session = useSession();
  const location = useLocation();

  if (session.status === "restoring") {
    return <LoadingState>Checking your session…</LoadingState>;
  }
  if (session.user === null) {
    return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  }
  if (!roles.includes(session.user.role)) {
    return <Navigate to={homePathFor(session.user.role)} replace />;
  }
  return <Outlet />;
}
