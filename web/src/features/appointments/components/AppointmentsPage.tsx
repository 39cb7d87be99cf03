import { isUpcoming, type Appointment } from "@/lib/schemas/appointment";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import { useMyAppointments } from "@/features/appointments/api/listMyAppointments";
import { AppointmentItem } from "@/features/appointments/components/AppointmentItem";
import { AppointmentRequestForm } from "@/features/appointments/components/AppointmentRequestForm";

function byStartAscending(a: Appointment, b: Appointment): number {
  return new Date(a.preferredStart).getTime() - new Date(b.preferredStart).getTime();
}

function AppointmentLists() {
  const appointments = useMyAppointments();

  if (appointments.isPending) {
    return <LoadingState>Loading your appointments…</LoadingState>;
  }
  if (appointments.isError) {
    return (
      <ErrorState
        title="We could not load your appointments."
        error={appointments.error}
        onRetry={() => void appointments.refetch()}
      />
    );
  }

  const now = new Date();
  const upcoming = appointments.data.items.filter((item) => isUpcoming(item, now)).sort(byStartAscending);
  const past = appointments.data.items.filter((item) => !isUpcoming(item, now));
  const hidden = appointments.data.total - appointments.data.items.length;

  return (
    <>
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">Upcoming appointments</h2>
        {upcoming.length === 0 ? (
          <EmptyState>
            <p>You have no upcoming appointments. Use the form on this page to request one.</p>
          </EmptyState>
        ) : (
          <ul className="card-list">
            {upcoming.map((appointment) => (
              <AppointmentItem key={appointment.id} appointment={appointment} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="past-heading">
        <h2 id="past-heading">Past and cancelled appointments</h2>
        {past.length === 0 ? (
          <EmptyState>
            <p>No past appointments yet. Visits you have had or cancelled will show here.</p>
          </EmptyState>
        ) : (
          <ul className="card-list">
            {past.map((appointment) => (
              <AppointmentItem key={appointment.id} appointment={appointment} />
            ))}
          </ul>
        )}
        {hidden > 0 && (
          <p className="field__hint">
            Showing your latest {appointments.data.items.length} appointments of {appointments.data.total}.
          </p>
        )}
      </section>
    </>
  );
}

export default function AppointmentsPage() {
  usePageTitle("Appointments");
  return (
    <>
      <h1>Appointments</h1>
      <div className="two-column">
        <section aria-labelledby="request-heading" className="card">
          <h2 id="request-heading">Request an appointment</h2>
          <AppointmentRequestForm />
        </section>
        <div>
          <AppointmentLists />
        </div>
      </div>
    </>
  );
}
