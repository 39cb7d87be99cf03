import { Link } from "react-router";
import { formatTimeWithZone } from "@/features/emergency-access/expiry";

interface EmergencyAccessBannerProps {
  /** RFC 3339 instant at which the grant ends. */
  until: string;
  expired: boolean;
}

/** States that the record is open under emergency access, and until when, or that access has ended. */
export function EmergencyAccessBanner({ until, expired }: EmergencyAccessBannerProps) {
  const time = formatTimeWithZone(until);
  return (
    <div className="emergency-banner" role="status">
      {expired ? (
        <p>
          <span className="emergency-banner__tag">Emergency access ended</span> Your access to this record ended at{" "}
          {time}. <Link to="/provider/emergency-access">Request emergency access again</Link> if the patient still
          needs care from you.
        </p>
      ) : (
        <p>
          <span className="emergency-banner__tag">Emergency access until {time}</span> This patient is not in your
          care. Every view of this record is recorded and shown to the patient.
        </p>
      )}
    </div>
  );
}
