import { useRef } from "react";
import { useFieldArray, useWatch, type Control, type UseFormReturn } from "react-hook-form";
import { InputField, SelectField } from "@/lib/forms/Field";
import { SEVERITY_LABELS } from "@/lib/schemas/profile";
import { SeverityBadge } from "@/lib/ui/SeverityBadge";
import {
  MAX_LIST_ROWS,
  type ProfileFormInput,
  type ProfileFormOutput,
} from "@/features/profile/api/profileForm";
import { Row, RowList } from "@/features/profile/components/RowList";

type ProfileForm = UseFormReturn<ProfileFormInput, unknown, ProfileFormOutput>;

/** Shows the chosen severity as icon and word beside the select. Screen readers skip it. */
function SeverityPreview({ control, index }: { control: ProfileForm["control"]; index: number }) {
  const severity = useWatch({ control: control as Control<ProfileFormInput>, name: `allergies.${index}.severity` });
  return (
    <span aria-hidden="true">
      <SeverityBadge severity={severity} />
    </span>
  );
}

const SEVERITY_OPTIONS = (["mild", "moderate", "severe", "unknown"] as const).map((value) => ({
  value,
  label: SEVERITY_LABELS[value],
}));

export function AllergyList({ form }: { form: ProfileForm }) {
  const { fields, append, remove } = useFieldArray({ control: form.control, name: "allergies" });
  const addButton = useRef<HTMLButtonElement>(null);
  const errors = form.formState.errors.allergies;

  return (
    <RowList
      title="Allergies"
      headingId="allergies-heading"
      addLabel="Add an allergy"
      emptyText="No allergies listed. If you are allergic to a medicine, food or anything else, add it here."
      rowCount={fields.length}
      maxRows={MAX_LIST_ROWS}
      onAdd={() => {
        append({ substance: "", reaction: "", severity: "unknown" });
      }}
      addButtonRef={addButton}
      error={errors?.root?.message ?? errors?.message}
    >
      {fields.map((field, index) => (
          <Row
            key={field.id}
            legend={`Allergy ${index + 1}`}
            onRemove={() => {
              remove(index);
              addButton.current?.focus();
            }}
          >
            <InputField
              label="Substance"
              required
              registration={form.register(`allergies.${index}.substance`)}
              error={errors?.[index]?.substance?.message}
            />
            <InputField
              label="Reaction"
              hint="For example: rash, swelling, trouble breathing."
              registration={form.register(`allergies.${index}.reaction`)}
              error={errors?.[index]?.reaction?.message}
            />
            <div className="severity-field">
              <SelectField
                label="Severity"
                options={SEVERITY_OPTIONS}
                registration={form.register(`allergies.${index}.severity`)}
                error={errors?.[index]?.severity?.message}
              />
              <SeverityPreview control={form.control} index={index} />
            </div>
          </Row>
        ))}
    </RowList>
  );
}

export function MedicationList({ form }: { form: ProfileForm }) {
  const { fields, append, remove } = useFieldArray({ control: form.control, name: "medications" });
  const addButton = useRef<HTMLButtonElement>(null);
  const errors = form.formState.errors.medications;

  return (
    <RowList
      title="Medications"
      headingId="medications-heading"
      addLabel="Add a medication"
      emptyText="No medications listed. Add any medicines, vitamins or supplements you take."
      rowCount={fields.length}
      maxRows={MAX_LIST_ROWS}
      onAdd={() => {
        append({ name: "", dose: "", frequency: "" });
      }}
      addButtonRef={addButton}
      error={errors?.root?.message ?? errors?.message}
    >
      {fields.map((field, index) => (
        <Row
          key={field.id}
          legend={`Medication ${index + 1}`}
          onRemove={() => {
            remove(index);
            addButton.current?.focus();
          }}
        >
          <InputField
            label="Name"
            required
            registration={form.register(`medications.${index}.name`)}
            error={errors?.[index]?.name?.message}
          />
          <InputField
            label="Dose"
            hint="For example: 10 mg."
            registration={form.register(`medications.${index}.dose`)}
            error={errors?.[index]?.dose?.message}
          />
          <InputField
            label="How often"
            hint="For example: once a day."
            registration={form.register(`medications.${index}.frequency`)}
            error={errors?.[index]?.frequency?.message}
          />
        </Row>
      ))}
    </RowList>
  );
}

export function ConditionList({ form }: { form: ProfileForm }) {
  const { fields, append, remove } = useFieldArray({ control: form.control, name: "conditions" });
  const addButton = useRef<HTMLButtonElement>(null);
  const errors = form.formState.errors.conditions;

  return (
    <RowList
      title="Conditions"
      headingId="conditions-heading"
      addLabel="Add a condition"
      emptyText="No conditions listed. Add long-term health conditions, such as asthma or diabetes."
      rowCount={fields.length}
      maxRows={MAX_LIST_ROWS}
      onAdd={() => {
        append({ name: "" });
      }}
      addButtonRef={addButton}
      error={errors?.root?.message ?? errors?.message}
    >
      {fields.map((field, index) => (
        <Row
          key={field.id}
          legend={`Condition ${index + 1}`}
          onRemove={() => {
            remove(index);
            addButton.current?.focus();
          }}
        >
          <InputField
            label="Condition"
            required
            registration={form.register(`conditions.${index}.name`)}
            error={errors?.[index]?.name?.message}
          />
        </Row>
      ))}
    </RowList>
  );
}
