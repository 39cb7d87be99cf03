import { useState } from "react";
import { Link } from "react-router";
import { formatCalendarDate, formatDateTimeWithZone } from "@/lib/format/dates";
import { pageCount } from "@/lib/schemas/page";
import { Pager } from "@/lib/ui/Pager";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { useDebouncedValue } from "@/lib/ui/useDebouncedValue";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import { usePatients } from "@/features/provider-patients/api/listPatients";

/** Delay between the last keystroke and the search request. */
export const SEARCH_DEBOUNCE_MS = 250;

export default function PatientsPage() {
  usePageTitle("Patients");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const query = useDebouncedValue(search, SEARCH_DEBOUNCE_MS);
  const patients = usePatients(query, page);

  return (
    <>
      <h1>Patients</h1>
      <p>
        Patient not in your care? <Link to="/provider/emergency-access">Request emergency access</Link> when they need
        treatment from you now.
      </p>
      <div className="field search">
        <label htmlFor="patient-search" className="field__label">
          Search patients
        </label>
        <p id="patient-search-hint" className="field__hint">
          Type the start of a first or last name.
        </p>
        <input
          id="patient-search"
          type="search"
          className="input"
          autoComplete="off"
          aria-describedby="patient-search-hint"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(1);
          }}
        />
      </div>

      {patients.isPending && <LoadingState>Loading patients…</LoadingState>}
      {patients.isError && (
        <ErrorState title="We could not load your patients." error={patients.error} onRetry={() => void patients.refetch()} />
      )}
      {patients.isSuccess && (
        <div aria-busy={patients.isFetching}>
          <p role="status" className="muted">
            {patients.data.total === 1 ? "1 patient" : `${patients.data.total} patients`}
            {query.trim() === "" ? "" : ` match “${query.trim()}”`}
          </p>
          {patients.data.items.length === 0 ? (
            <EmptyState>
              {query.trim() === "" ? (
                <p>No patients yet. Patients show here when they choose you as their provider or book with you.</p>
              ) : (
                <p>No patients match that name. Check the spelling or clear the search box.</p>
              )}
            </EmptyState>
          ) : (
            <>
              <table className="table table--stack">
                <caption className="visually-hidden">Your patients</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Date of birth</th>
                    <th scope="col">Age</th>
                    <th scope="col">Next appointment</th>
                  </tr>
                </thead>
                <tbody>
                  {patients.data.items.map((patient) => (
                    <tr key={patient.id}>
                      <td data-label="Name">
                        <Link to={`/provider/patients/${encodeURIComponent(patient.id)}`}>
                          {patient.firstName} {patient.lastName}
                        </Link>
                      </td>
                      <td data-label="Date of birth">{formatCalendarDate(patient.dateOfBirth)}</td>
                      <td data-label="Age">{patient.age}</td>
                      <td data-label="Next appointment">
                        {patient.nextAppointment === null ? "None booked" : formatDateTimeWithZone(patient.nextAppointment)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager
                label="Patients"
                page={page}
                pageCount={pageCount(patients.data)}
                onPageChange={setPage}
                busy={patients.isFetching}
              />
            </>
          )}
        </div>
      )}
    </>
  );
}
