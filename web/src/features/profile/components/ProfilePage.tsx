import { ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import { useProfile } from "@/features/profile/api/getProfile";
import { ProfileForm } from "@/features/profile/components/ProfileForm";

export default function ProfilePage() {
  usePageTitle("Your profile");
  const profile = useProfile();

  return (
    <>
      <h1>Your profile</h1>
      <p>Keep your details up to date so your care team has the right facts about you.</p>
      {profile.isPending && <LoadingState>Loading your profile…</LoadingState>}
      {profile.isError && (
        <ErrorState
          title="We could not load your profile."
          error={profile.error}
          onRetry={() => void profile.refetch()}
        />
      )}
      {/* The form copies the profile once, so a background refetch never overwrites unsaved edits. */}
      {profile.isSuccess && <ProfileForm profile={profile.data} />}
    </>
  );
}
