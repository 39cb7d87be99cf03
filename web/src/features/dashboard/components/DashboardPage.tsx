import { Link } from "react-router";
import { formatDateTimeWithZone } from "@/lib/format/dates";
import { VISIT_TYPE_LABELS } from "@/lib/schemas/appointment";
import { useSession } from "@/lib/session/useSession";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { StatusBadge } from "@/lib/ui/StatusBadge";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import { AGE_GROUP_LABELS, useDashboard, type Dashboard } from "@/features/dashboard/api/getDashboard";

function UpcomingCard({ appointments }: { appointments: Dashboard["upcomingAppointments"] }) {
  return (
    <section className="card" aria-labelledby="dashboard-upcoming">
      <h2 id="dashboard-upcoming">Upcoming appointments</h2>
      {appointments.length === 0 ? (
        <EmptyState>
          <p>You have no upcoming appointments.</p>
          <p>
            <Link to="/appointments">Request an appointment</Link>
          </p>
        </EmptyState>
      ) : (
        <>
          <ul className="plain-list">
            {appointments.map((appointment) => (
              <li key={appointment.id} className="plain-list__item">
                <p className="strong">{formatDateTimeWithZone(appointment.preferredStart)}</p>
                <p>
                  {appointment.providerName}, {VISIT_TYPE_LABELS[appointment.visitType].toLowerCase()}{" "}
                  <StatusBadge status={appointment.status} />
                </p>
              </li>
            ))}
          </ul>
          <p>
            <Link to="/appointments">See all appointments</Link>
          </p>
        </>
      )}
    </section>
  );
}

function RemindersCard({ reminders }: { reminders: Dashboard["reminders"] }) {
  return (
    <section className="card" aria-labelledby="dashboard-reminders">
      <h2 id="dashboard-reminders">Reminders</h2>
      {reminders.length === 0 ? (
        <EmptyState>
          <p>You are up to date. Keep your profile current so your reminders stay right for you.</p>
        </EmptyState>
      ) : (
        <ul className="plain-list">
          {reminders.map((reminder) => (
            <li key={reminder.id} className="plain-list__item">
              <h3 className="h4">{reminder.title}</h3>
              <p>
                <span className="muted">Why: </span>
                {reminder.detail}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TipCard({ tip }: { tip: Dashboard["tipOfTheDay"] }) {
  return (
    <section className="card card--accent" aria-labelledby="dashboard-tip">
      <h2 id="dashboard-tip">Tip of the day</h2>
      <h3 className="h4">{tip.title}</h3>
      <p>{tip.body}</p>
      <p className="muted">For: {AGE_GROUP_LABELS[tip.ageGroup]}</p>
    </section>
  );
}

export default function DashboardPage() {
  usePageTitle("Dashboard");
  const { user } = useSession();
  const dashboard = useDashboard();
  const firstName = dashboard.data?.firstName ?? user?.firstName ?? "";

  return (
    <>
      <h1>Hello, {firstName}</h1>
      {dashboard.isPending && <LoadingState>Loading your dashboard…</LoadingState>}
      {dashboard.isError && (
        <ErrorState
          title="We could not load your dashboard."
          error={dashboard.error}
          onRetry={() => void dashboard.refetch()}
        />
      )}
      {dashboard.isSuccess && (
        <div className="card-grid">
          <UpcomingCard appointments={dashboard.data.upcomingAppointments} />
          <RemindersCard reminders={dashboard.data.reminders} />
          <TipCard tip={dashboard.data.tipOfTheDay} />
        </div>
      )}
    </>
  );
}
