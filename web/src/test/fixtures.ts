import type { Appointment } from "@/lib/schemas/appointment";
import type { Profile } from "@/lib/schemas/profile";
import type { Session, User } from "@/lib/schemas/user";

export const PATIENT: User = {
  id: "00000000-0000-4000-8000-000000000001",
  email: "ana@example.test",
  role: "patient",
  firstName: "Ana",
  lastName: "Lopez",
};

export const PROVIDER: User = {
  id: "00000000-0000-4000-8000-000000000002",
  email: "dana@example.test",
  role: "provider",
  firstName: "Dana",
  lastName: "Reyes",
};

export function sessionFor(user: User, accessToken = "token-1"): Session {
  return {
    user,
    accessToken,
    accessTokenExpiresAt: "2099-01-01T00:00:00Z",
    idleTimeoutSeconds: 15 * 60,
    sessionExpiresAt: "2099-01-01T12:00:00Z",
  };
}

export const PROVIDERS_PAGE = {
  items: [{ id: PROVIDER.id, firstName: "Dana", lastName: "Reyes", specialty: "Family medicine" }],
  page: 1,
  limit: 100,
  total: 1,
};

export function profileFixture(overrides: Partial<Profile> = {}): Profile {
  return {
    id: PATIENT.id,
    email: PATIENT.email,
    firstName: "Ana",
    lastName: "Lopez",
    dateOfBirth: "1980-03-09",
    sexAtBirth: null,
    phone: null,
    address: null,
    emergencyContact: null,
    allergies: [],
    medications: [],
    conditions: [],
    primaryProviderId: null,
    updatedAt: "2026-12-01T10:00:00Z",
    ...overrides,
  };
}

export function appointmentFixture(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: "00000000-0000-4000-8000-0000000000a1",
    patientId: PATIENT.id,
    patientName: "Ana Lopez",
    providerId: PROVIDER.id,
    providerName: "Dana Reyes",
    preferredStart: "2027-03-09T18:00:00Z",
    visitType: "in_person",
    reason: "Check-up",
    status: "requested",
    createdAt: "2026-12-01T10:00:00Z",
    updatedAt: "2026-12-01T10:00:00Z",
    ...overrides,
  };
}
