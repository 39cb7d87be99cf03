import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField, SelectField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { formatDateTimeWithZone, todayLocalDate } from "@/lib/format/dates";
import { SEX_AT_BIRTH_LABELS, type Profile } from "@/lib/schemas/profile";
import { ProviderSelectField } from "@/features/providers/components/ProviderSelectField";
import {
  formToProfileBody,
  profileFormSchema,
  profileToForm,
  type ProfileFormInput,
  type ProfileFormOutput,
} from "@/features/profile/api/profileForm";
import { useUpdateProfile } from "@/features/profile/api/updateProfile";
import { AllergyList, ConditionList, MedicationList } from "@/features/profile/components/HealthLists";

const FIELD_LABELS: Record<string, string> = {
  firstName: "First name",
  lastName: "Last name",
  dateOfBirth: "Date of birth",
  sexAtBirth: "Sex at birth",
  phone: "Phone",
  "address.line1": "Address line 1",
  "address.line2": "Address line 2",
  "address.city": "Town or city",
  "address.region": "State or region",
  "address.postalCode": "Postal code",
  "address.country": "Country",
  "emergencyContact.name": "Emergency contact name",
  "emergencyContact.relationship": "Emergency contact relationship",
  "emergencyContact.phone": "Emergency contact phone",
  primaryProviderId: "Primary provider",
};

const LIST_LABELS: Record<string, string> = {
  allergies: "Allergy",
  medications: "Medication",
  conditions: "Condition",
};

/** Returns a label such as "Allergy 1 substance" for a path such as `allergies.0.substance`. */
function labelFor(path: string): string {
  const row = /^(allergies|medications|conditions)\.(\d+)\.(\w+)$/.exec(path);
  if (row !== null) {
    const [, list = "", index = "0", field = ""] = row;
    return `${LIST_LABELS[list] ?? list} ${Number(index) + 1} ${field.toLowerCase()}`;
  }
  return FIELD_LABELS[path] ?? path;
}

const SEX_OPTIONS = [
  { value: "", label: "Prefer not to say" },
  ...(["female", "male", "intersex", "unknown"] as const).map((value) => ({
    value,
    label: SEX_AT_BIRTH_LABELS[value],
  })),
];

/** Editable form for every field of the patient's profile. */
export function ProfileForm({ profile }: { profile: Profile }) {
  const updateProfile = useUpdateProfile();
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const form = useForm<ProfileFormInput, unknown, ProfileFormOutput>({
    resolver: zodResolver(profileFormSchema),
    defaultValues: profileToForm(profile),
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    setSavedAt(null);
    try {
      const saved = await updateProfile.mutateAsync(formToProfileBody(values));
      form.reset(profileToForm(saved));
      setSavedAt(saved.updatedAt);
    } catch (error) {
      feedback.showServerError(error);
    }
  });

  return (
    <form className="form form--wide" noValidate onSubmit={onSubmit}>
      <ErrorSummary
        focusRequest={feedback.summaryFocusRequest}
        formError={feedback.formError}
        fieldErrors={feedback.fieldErrors}
        labelFor={labelFor}
      />

      <section className="card">
        <h2 id="personal-heading">Personal details</h2>
        <p className="muted">Email: {profile.email} (this cannot be changed here)</p>
        <div className="field-grid">
          <InputField
            label="First name"
            autoComplete="given-name"
            required
            registration={form.register("firstName")}
            error={errors.firstName?.message}
          />
          <InputField
            label="Last name"
            autoComplete="family-name"
            required
            registration={form.register("lastName")}
            error={errors.lastName?.message}
          />
          <InputField
            label="Date of birth"
            type="date"
            autoComplete="bday"
            max={todayLocalDate()}
            required
            registration={form.register("dateOfBirth")}
            error={errors.dateOfBirth?.message}
          />
          <SelectField
            label="Sex at birth"
            options={SEX_OPTIONS}
            registration={form.register("sexAtBirth")}
            error={errors.sexAtBirth?.message}
          />
          <InputField
            label="Phone"
            type="tel"
            autoComplete="tel"
            registration={form.register("phone")}
            error={errors.phone?.message}
          />
        </div>
      </section>

      <section className="card">
        <h2 id="address-heading">Address</h2>
        <p className="muted">Leave every address field empty if you do not want to give an address.</p>
        <div className="field-grid">
          <InputField
            label="Address line 1"
            autoComplete="address-line1"
            registration={form.register("address.line1")}
            error={errors.address?.line1?.message}
          />
          <InputField
            label="Address line 2 (optional)"
            autoComplete="address-line2"
            registration={form.register("address.line2")}
            error={errors.address?.line2?.message}
          />
          <InputField
            label="Town or city"
            autoComplete="address-level2"
            registration={form.register("address.city")}
            error={errors.address?.city?.message}
          />
          <InputField
            label="State or region (optional)"
            autoComplete="address-level1"
            registration={form.register("address.region")}
            error={errors.address?.region?.message}
          />
          <InputField
            label="Postal code"
            autoComplete="postal-code"
            registration={form.register("address.postalCode")}
            error={errors.address?.postalCode?.message}
          />
          <InputField
            label="Country"
            autoComplete="country-name"
            registration={form.register("address.country")}
            error={errors.address?.country?.message}
          />
        </div>
      </section>

      <section className="card">
        <h2 id="contact-heading">Emergency contact</h2>
        <p className="muted">The person we should call if you cannot speak for yourself.</p>
        <div className="field-grid">
          <InputField
            label="Contact name"
            registration={form.register("emergencyContact.name")}
            error={errors.emergencyContact?.name?.message}
          />
          <InputField
            label="Relationship to you"
            registration={form.register("emergencyContact.relationship")}
            error={errors.emergencyContact?.relationship?.message}
          />
          <InputField
            label="Contact phone"
            type="tel"
            registration={form.register("emergencyContact.phone")}
            error={errors.emergencyContact?.phone?.message}
          />
        </div>
      </section>

      <AllergyList form={form} />
      <MedicationList form={form} />
      <ConditionList form={form} />

      <section className="card">
        <h2 id="provider-heading">Primary provider</h2>
        <ProviderSelectField
          label="Primary provider"
          placeholder="No primary provider"
          registration={form.register("primaryProviderId")}
          error={errors.primaryProviderId?.message}
        />
      </section>

      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Save profile
        </button>
        <div role="status" aria-live="polite">
          {savedAt !== null && (
            <p className="notice notice--success">Your profile was saved on {formatDateTimeWithZone(savedAt)}.</p>
          )}
        </div>
      </div>
    </form>
  );
}
