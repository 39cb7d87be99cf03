import { SEVERITY_LABELS, type Severity } from "@/lib/schemas/profile";

/** Draws a distinct shape per severity, so the level never depends on colour alone. */
function SeverityIcon({ severity }: { severity: Severity }) {
  switch (severity) {
    case "mild":
      return <circle cx="8" cy="8" r="5" />;
    case "moderate":
      return <path d="M8 2 L14 13 H2 Z" />;
    case "severe":
      return (
        <>
          <path d="M8 1 L15 8 L8 15 L1 8 Z" />
          <path d="M7.2 4.5 H8.8 V9.2 H7.2 Z M7.2 10.5 H8.8 V12 H7.2 Z" className="severity__mark" />
        </>
      );
    case "unknown":
      return (
        <>
          <rect x="2" y="2" width="12" height="12" rx="2" />
          <path d="M7.2 10.5 H8.8 V12 H7.2 Z M6 6 A2 2 0 1 1 8.8 7.8 V9.2 H7.2 V7 A1 1 0 1 0 7 6 Z" className="severity__mark" />
        </>
      );
  }
}

/** Shows an allergy's severity as an icon and a word. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`severity severity--${severity}`}>
      <svg className="severity__icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
        <SeverityIcon severity={severity} />
      </svg>
      <span>{SEVERITY_LABELS[severity]}</span>
    </span>
  );
}
