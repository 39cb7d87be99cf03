import { Link } from "react-router";
import { homePathFor } from "@/lib/session/homePath";
import { useSession } from "@/lib/session/useSession";
import { usePageTitle } from "@/lib/ui/usePageTitle";

export default function HomePage() {
  usePageTitle("Home");
  const { user } = useSession();

  return (
    <>
      <section className="hero">
        <h1>Your clinic, online</h1>
        <p className="lead">
          The patient portal is a safe place to see and manage your care with our clinic, any time of day.
        </p>
        {user === null ? (
          <div className="button-row">
            <Link to="/signin" className="button button--primary">
              Sign in
            </Link>
            <Link to="/register" className="button button--secondary">
              Create an account
            </Link>
          </div>
        ) : (
          <p>
            <Link to={homePathFor(user.role)} className="button button--primary">
              Go to your portal
            </Link>
          </p>
        )}
      </section>

      <div className="card-grid">
        <section className="card" aria-labelledby="home-patients">
          <h2 id="home-patients">For patients</h2>
          <ul>
            <li>Request an appointment and see your upcoming visits.</li>
            <li>Keep your allergies, medications and health conditions up to date.</li>
            <li>Get reminders for checkups and screenings that fit your age.</li>
            <li>See who looked at your record, and when.</li>
          </ul>
        </section>
        <section className="card" aria-labelledby="home-providers">
          <h2 id="home-providers">For providers</h2>
          <p>
            Find your patients, read their records and answer appointment requests. You need an invite code from the
            clinic to <Link to="/register/provider">create a provider account</Link>.
          </p>
        </section>
        <section className="card" aria-labelledby="home-privacy">
          <h2 id="home-privacy">Your privacy</h2>
          <p>
            Only you and the providers who care for you can see your record. Read our{" "}
            <Link to="/privacy">privacy policy</Link> to learn how we protect your information.
          </p>
        </section>
      </div>

      <section className="card card--warning" aria-labelledby="home-urgent">
        <h2 id="home-urgent">Need help right now?</h2>
        <p>
          Do not use the portal for emergencies. If you think you have a medical emergency, call your local emergency
          number. See <Link to="/health">health information</Link> for when to get urgent care.
        </p>
      </section>
    </>
  );
}
