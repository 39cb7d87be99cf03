import { useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { Link, useLocation, useParams } from "react-router";
import { ApiError } from "@/lib/api/ApiError";
import { formatCalendarDate, formatDateTimeWithZone } from "@/lib/format/dates";
import { SEX_AT_BIRTH_LABELS, type Profile } from "@/lib/schemas/profile";
import { SeverityBadge } from "@/lib/ui/SeverityBadge";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import { EmergencyAccessBanner } from "@/features/emergency-access/components/EmergencyAccessBanner";
import { readEmergencyAccessUntil } from "@/features/emergency-access/emergencyAccessState";
import { useHasPassed } from "@/features/emergency-access/expiry";
import { usePatientRecord } from "@/features/provider-patients/api/getPatientRecord";

const NOT_GIVEN = "Not given";

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function formatAddress(address: NonNullable<Profile["address"]>): string {
  return [address.line1, address.line2, address.city, address.region, address.postalCode, address.country]
    .filter((part) => part !== "")
    .join(", ");
}

/** Renders a patient's profile read-only, with no inputs and no edit controls. */
function PatientRecord({ record }: { record: Profile }) {
  return (
    <>
      <section className="card" aria-labelledby="record-personal">
        <h2 id="record-personal">Personal details</h2>
        <dl className="details">
          <Detail term="Name">
            {record.firstName} {record.lastName}
          </Detail>
          <Detail term="Date of birth">{formatCalendarDate(record.dateOfBirth)}</Detail>
          <Detail term="Sex at birth">
            {record.sexAtBirth === null ? NOT_GIVEN : SEX_AT_BIRTH_LABELS[record.sexAtBirth]}
          </Detail>
          <Detail term="Email">{record.email}</Detail>
          <Detail term="Phone">{record.phone ?? NOT_GIVEN}</Detail>
          <Detail term="Address">{record.address === null ? NOT_GIVEN : formatAddress(record.address)}</Detail>
        </dl>
      </section>

      <section className="card" aria-labelledby="record-contact">
        <h2 id="record-contact">Emergency contact</h2>
        {record.emergencyContact === null ? (
          <p>{NOT_GIVEN}</p>
        ) : (
          <dl className="details">
            <Detail term="Name">{record.emergencyContact.name}</Detail>
            <Detail term="Relationship">{record.emergencyContact.relationship}</Detail>
            <Detail term="Phone">{record.emergencyContact.phone}</Detail>
          </dl>
        )}
      </section>

      <section className="card" aria-labelledby="record-allergies">
        <h2 id="record-allergies">Allergies</h2>
        {record.allergies.length === 0 ? (
          <p>No allergies recorded.</p>
        ) : (
          <ul className="plain-list">
            {record.allergies.map((allergy, index) => (
              <li key={`${allergy.substance}-${index}`} className="plain-list__item">
                <p className="strong">{allergy.substance}</p>
                <p>
                  <SeverityBadge severity={allergy.severity} />
                  {allergy.reaction !== "" && <span> Reaction: {allergy.reaction}</span>}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="record-medications">
        <h2 id="record-medications">Medications</h2>
        {record.medications.length === 0 ? (
          <p>No medications recorded.</p>
        ) : (
          <ul className="plain-list">
            {record.medications.map((medication, index) => (
              <li key={`${medication.name}-${index}`} className="plain-list__item">
                <span className="strong">{medication.name}</span>
                {[medication.dose, medication.frequency]
                  .filter((part) => part !== "")
                  .map((part) => `, ${part}`)
                  .join("")}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="record-conditions">
        <h2 id="record-conditions">Conditions</h2>
        {record.conditions.length === 0 ? (
          <p>No conditions recorded.</p>
        ) : (
          <ul className="plain-list">
            {record.conditions.map((condition, index) => (
              <li key={`${condition.name}-${index}`} className="plain-list__item">
                {condition.name}
              </li>
            ))}
          </ul>
        )}
      </section>

      <p className="muted">Last updated by the patient on {formatDateTimeWithZone(record.updatedAt)}.</p>
    </>
  );
}

/** Loads the record and shows it, or its loading, not-found or error state. */
function PatientRecordContent({ id }: { id: string }) {
  const record = usePatientRecord(id);

  return (
    <>
      {record.isPending && <LoadingState>Loading the patient record…</LoadingState>}
      {record.isError && record.error instanceof ApiError && record.error.status === 404 ? (
        <EmptyState>
          <p>
            We could not find this patient in your care. <Link to="/provider/patients">Go back to your patients</Link>.
          </p>
          <p>
            If the patient needs care from you now, you can{" "}
            <Link to="/provider/emergency-access">request emergency access</Link>.
          </p>
        </EmptyState>
      ) : (
        record.isError && (
          <ErrorState
            title="We could not load this patient record."
            error={record.error}
            onRetry={() => void record.refetch()}
          />
        )
      )}
      {record.isSuccess && <PatientRecord record={record.data} />}
    </>
  );
}

export default function PatientRecordPage() {
  usePageTitle("Patient record");
  const { id = "" } = useParams();
  const location = useLocation();
  const queryClient = useQueryClient();
  // Set by the emergency access form. A page reached from the patient list has none.
  const emergencyUntil = readEmergencyAccessUntil(location.state);
  const emergencyExpired = useHasPassed(emergencyUntil);

  // The server stops sending the record when the grant ends, so the cached copy goes too. The
  // content has unmounted by now, so removing the query does not start a new request.
  useEffect(() => {
    if (emergencyExpired) {
      queryClient.removeQueries({ queryKey: ["provider", "patient", id] });
    }
  }, [emergencyExpired, queryClient, id]);

  return (
    <>
      <p>
        <Link to="/provider/patients">Back to patients</Link>
      </p>
      <h1>Patient record</h1>
      {emergencyUntil !== null && <EmergencyAccessBanner until={emergencyUntil} expired={emergencyExpired} />}
      <p className="read-only-banner">
        <span className="read-only-banner__tag">Read-only</span> You can view this record but not change it. Only the
        patient can update their profile.
      </p>
      {!emergencyExpired && <PatientRecordContent id={id} />}
    </>
  );
}
