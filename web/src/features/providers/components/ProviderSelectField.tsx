import type { UseFormRegisterReturn } from "react-hook-form";
import { SelectField } from "@/lib/forms/Field";
import { providerLabel } from "@/lib/schemas/provider";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { useProviders } from "@/features/providers/api/listProviders";

interface ProviderSelectFieldProps {
  label: string;
  registration: UseFormRegisterReturn;
  error?: string | undefined;
  hint?: string;
  /** Text of the empty first option, such as "Choose a provider". */
  placeholder: string;
  required?: boolean;
}

/** Renders a select filled from GET /api/v1/providers, with loading and error states. */
export function ProviderSelectField({ label, registration, error, hint, placeholder, required = false }: ProviderSelectFieldProps) {
  const providers = useProviders();

  if (providers.isPending) {
    return <LoadingState>Loading the list of providers…</LoadingState>;
  }
  if (providers.isError) {
    return (
      <ErrorState
        title="We could not load the list of providers."
        error={providers.error}
        onRetry={() => void providers.refetch()}
      />
    );
  }

  if (providers.data.items.length === 0) {
    return (
      <EmptyState>
        <p>
          <strong>{label}:</strong> no providers are listed yet. Please call your clinic for help.
        </p>
      </EmptyState>
    );
  }

  const options = [
    { value: "", label: placeholder },
    ...providers.data.items.map((provider) => ({ value: provider.id, label: providerLabel(provider) })),
  ];
  return (
    <SelectField
      label={label}
      registration={registration}
      options={options}
      error={error}
      required={required}
      {...(hint === undefined ? {} : { hint })}
    />
  );
}
