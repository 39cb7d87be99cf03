import { Link } from "react-router";

/** Renders the page shown when a route fails, without technical detail that could include PHI. */
export function RouteErrorPage() {
  return (
    <main id="main" className="container main">
      <h1>Something went wrong</h1>
      <p>The page could not be shown. Try reloading it. If the problem continues, please call your clinic.</p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </main>
  );
}
