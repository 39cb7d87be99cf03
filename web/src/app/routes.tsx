import type { RouteObject } from "react-router";
import { Layout } from "@/app/Layout";
import { MfaEnrolmentGate } from "@/app/MfaEnrolmentGate";
import { RequireRole } from "@/app/RequireRole";
import { RouteErrorPage } from "@/app/RouteErrorPage";
import { Titled } from "@/app/Titled";
import AccessLogPage from "@/features/access-log/components/AccessLogPage";
import AppointmentsPage from "@/features/appointments/components/AppointmentsPage";
import AccountPage from "@/features/auth/components/AccountPage";
import RegisterPatientPage from "@/features/auth/components/RegisterPatientPage";
import RegisterProviderPage from "@/features/auth/components/RegisterProviderPage";
import SessionsPage from "@/features/sessions/components/SessionsPage";
import TwoStepSignInPage from "@/features/mfa/components/TwoStepSignInPage";
import SignInPage from "@/features/auth/components/SignInPage";
import DashboardPage from "@/features/dashboard/components/DashboardPage";
import EmergencyAccessPage from "@/features/emergency-access/components/EmergencyAccessPage";
import HomePage from "@/features/home/HomePage";
import NotFoundPage from "@/features/home/NotFoundPage";
import ProfilePage from "@/features/profile/components/ProfilePage";
import ProviderAppointmentsPage from "@/features/provider-appointments/components/ProviderAppointmentsPage";
import PatientRecordPage from "@/features/provider-patients/components/PatientRecordPage";
import PatientsPage from "@/features/provider-patients/components/PatientsPage";
import HealthInfoPage from "@/features/public/HealthInfoPage";
import PrivacyPage from "@/features/public/PrivacyPage";

/** Every page of the portal. `main.tsx` and the tests build their routers from this list. */
export const routes: RouteObject[] = [
  {
    path: "/",
    element: <Layout />,
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <HomePage /> },
      { path: "health", element: <Titled title="Health information" page={<HealthInfoPage />} /> },
      { path: "privacy", element: <Titled title="Privacy policy" page={<PrivacyPage />} /> },
      { path: "signin", element: <SignInPage /> },
      { path: "register", element: <RegisterPatientPage /> },
      { path: "register/provider", element: <RegisterProviderPage /> },
      {
        element: <RequireRole roles={["patient"]} />,
        children: [
          {
            element: <MfaEnrolmentGate />,
            children: [
              { path: "dashboard", element: <DashboardPage /> },
              { path: "profile", element: <ProfilePage /> },
              { path: "appointments", element: <AppointmentsPage /> },
              { path: "access-log", element: <AccessLogPage /> },
            ],
          },
        ],
      },
      {
        element: <RequireRole roles={["patient", "provider", "admin"]} />,
        children: [
          { path: "account", element: <AccountPage /> },
          { path: "account/sessions", element: <SessionsPage /> },
          { path: "account/two-step-sign-in", element: <TwoStepSignInPage /> },
        ],
      },
      {
        element: <RequireRole roles={["provider"]} />,
        children: [
          {
            element: <MfaEnrolmentGate />,
            children: [
              { path: "provider/patients", element: <PatientsPage /> },
              { path: "provider/patients/:id", element: <PatientRecordPage /> },
              { path: "provider/appointments", element: <ProviderAppointmentsPage /> },
              { path: "provider/emergency-access", element: <EmergencyAccessPage /> },
            ],
          },
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
