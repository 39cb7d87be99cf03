import { useEffect, useRef } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { ROLE_LABELS, type Role } from "@/lib/schemas/user";
import { useSession } from "@/lib/session/useSession";
import { SITE_NAME } from "@/lib/ui/usePageTitle";
import { useSignOut } from "@/features/auth/api/signOut";
import { IdleTimeout } from "@/app/IdleTimeout";

const NAV_LINKS: Record<Role, { to: string; label: string }[]> = {
  patient: [
    { to: "/dashboard", label: "Dashboard" },
    { to: "/appointments", label: "Appointments" },
    { to: "/profile", label: "Profile" },
    { to: "/access-log", label: "Access history" },
    { to: "/account", label: "Account" },
  ],
  provider: [
    { to: "/provider/patients", label: "Patients" },
    { to: "/provider/appointments", label: "Appointment requests" },
    { to: "/account", label: "Account" },
  ],
  admin: [{ to: "/account", label: "Account" }],
};

function SessionArea() {
  const session = useSession();
  const navigate = useNavigate();
  const signOut = useSignOut();

  if (session.status === "restoring") {
    return null;
  }
  if (session.user === null) {
    return (
      <nav aria-label="Account" className="header-actions">
        <Link to="/signin" className="button button--secondary button--small">
          Sign in
        </Link>
        <Link to="/register" className="button button--primary button--small">
          Create an account
        </Link>
      </nav>
    );
  }

  return (
    <div className="header-actions">
      <p className="signed-in">
        <span className="signed-in__name">
          {session.user.firstName} {session.user.lastName}
        </span>{" "}
        <span className="signed-in__role">{ROLE_LABELS[session.user.role]}</span>
      </p>
      <button
        type="button"
        className="button button--secondary button--small"
        disabled={signOut.isPending}
        onClick={() => {
          signOut.mutate(undefined, {
            onSettled: () => {
              void navigate("/signin", { replace: true });
            },
          });
        }}
      >
        Sign out
      </button>
    </div>
  );
}

function MainNav() {
  const { user } = useSession();
  if (user === null) {
    return null;
  }
  return (
    <nav aria-label="Main" className="main-nav">
      <ul className="container main-nav__list">
        {NAV_LINKS[user.role].map((link) => (
          <li key={link.to}>
            <NavLink to={link.to} className="main-nav__link" end={link.to !== "/provider/patients"}>
              {link.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Page frame with skip link, header, navigation, main landmark and footer. */
export function Layout() {
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After client-side navigation, move focus to the new page so screen readers start there.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a
        href="#main"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <header className="site-header">
        <div className="container site-header__bar">
          <Link to="/" className="brand">
            <svg className="brand__mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="6" />
              <path d="M13 7h6v6h6v6h-6v6h-6v-6H7v-6h6z" fill="#fff" />
            </svg>
            {SITE_NAME}
          </Link>
          <SessionArea />
        </div>
        <MainNav />
      </header>
      <main id="main" ref={main} tabIndex={-1} className="container main">
        <Outlet />
      </main>
      <footer className="site-footer">
        <div className="container">
          <nav aria-label="Footer">
            <ul className="site-footer__links">
              <li>
                <Link to="/health">Health information</Link>
              </li>
              <li>
                <Link to="/privacy">Privacy policy</Link>
              </li>
            </ul>
          </nav>
          <p className="muted">In an emergency, call your local emergency number. Do not use the portal.</p>
        </div>
      </footer>
      <IdleTimeout />
    </>
  );
}
