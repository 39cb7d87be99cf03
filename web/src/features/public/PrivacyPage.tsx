/**
 * Version of the privacy policy on this page. Registration must send it as `consentVersion`,
 * because the server rejects any version other than the one it publishes. Change both together.
 */
export const PRIVACY_POLICY_VERSION = "2026-12-01";

/** Public page with the privacy policy of the patient portal, in plain language. */
export default function PrivacyPage() {
  return (
    <article className="prose">
      <h1>Privacy policy</h1>
      <p>Version {PRIVACY_POLICY_VERSION}</p>
      <p>
        This policy explains what information the clinic’s patient portal collects, why we
        collect it, who can see it and how we protect it. In this policy, “we” means the clinic,
        and “you” means the patient who uses the portal.
      </p>

      <section>
        <h2>What we collect and why</h2>
        <ul>
          <li>
            <strong>Your account.</strong> We collect your email address, your name and a
            password, so you can create an account and sign in. We never store your password
            itself. We store only a one-way hash of it, which lets us check your password when
            you sign in but cannot be turned back into the password. Nobody at the clinic can
            read your password.
          </li>
          <li>
            <strong>Health information you enter.</strong> This includes your date of birth, sex
            at birth, phone number, address, emergency contact, allergies, medications and
            health conditions. We use it so your care team has correct facts about you, and to
            show you reminders for checkups and screenings that fit your age and health.
          </li>
          <li>
            <strong>Appointments.</strong> We keep the appointments you request, the reason you
            give for each visit and whether it was confirmed, declined, cancelled or completed.
            We use this to schedule your care and to help your provider prepare.
          </li>
          <li>
            <strong>A record of activity.</strong> We record each sign-in and every time someone
            views or changes your record. Each entry shows the time, who did it and the network
            address (IP address) of the device they used. We use this record to protect your
            information, to find misuse and to show you who has looked at your record.
          </li>
        </ul>
      </section>

      <section>
        <h2>Who can see your information</h2>
        <ul>
          <li>
            <strong>You.</strong> You can see and update your own profile and appointments in
            the portal.
          </li>
          <li>
            <strong>Providers who care for you.</strong> A provider at this clinic can see your
            record only if they are your primary provider or you have an appointment with them.
            They can read your profile, but they cannot change it.
          </li>
          <li>
            <strong>Clinic staff who run the system.</strong> A small number of staff keep the
            portal working. They must keep your information confidential.
          </li>
        </ul>
        <p>
          We do not sell your information. We do not use it for advertising, and the portal has
          no ads and no third-party trackers. We share your information with others only when the
          law requires us to, for example to answer a court order.
        </p>
      </section>

      <section>
        <h2>The access log</h2>
        <p>
          The portal keeps an access log of your record. It records every time someone views or
          changes your health information, every sign-in to your account, and every attempt
          that the portal refused, such as a wrong password or a provider trying to edit your
          profile.
        </p>
        <p>
          You can see who looked at your record and when on the Access history page. Nobody can
          change or delete entries in the log through the portal.
        </p>
      </section>

      <section>
        <h2>How we protect your information</h2>
        <ul>
          <li>All connections between your device and the portal are encrypted.</li>
          <li>Passwords are stored only as one-way hashes, never as plain text.</li>
          <li>
            Your session ends when you sign out. It also ends on its own after a period without
            activity, so a device left open does not stay signed in.
          </li>
          <li>
            Access is limited by role. Patients can see only their own record, and providers can
            see only the records of patients in their care.
          </li>
        </ul>
        <p>
          You can help too: keep your password private, do not reuse it on other sites, and sign
          out when you use a shared device.
        </p>
      </section>

      <section>
        <h2>How long we keep your information</h2>
        <p>
          We keep your records while your account is open. After your account is closed, we keep
          them for as long as medical records laws require the clinic to keep them.
        </p>
        <p>
          We keep the access log for at least six years. This is the period that US health
          privacy rules (HIPAA) set for keeping compliance records.
        </p>
      </section>

      <section>
        <h2>Your rights</h2>
        <p>You have the right to:</p>
        <ul>
          <li>See your health information and get a copy of it.</li>
          <li>Ask us to correct information that is wrong or incomplete.</li>
          <li>
            Get a list of the people and organizations we shared your health information with.
            The law leaves some routine sharing off this list, such as sharing for your own
            care.
          </li>
          <li>
            Ask us to limit how we use or share your information. We will consider every
            request, but the law does not always require us to agree.
          </li>
          <li>
            Ask us to contact you in a certain way or at a certain place, for example only by
            mail or at a different address.
          </li>
          <li>
            Stop using the portal by asking us to close your account. Closing your account
            withdraws your consent for the portal, but we still keep your care records as the
            law requires.
          </li>
          <li>
            File a complaint if you think your privacy rights were not respected. You can
            complain to the clinic’s privacy officer or to the U.S. Department of Health and
            Human Services Office for Civil Rights. We will not treat you differently or take any
            action against you for filing a complaint.
          </li>
        </ul>
        <p>
          To use any of these rights, contact the clinic’s privacy officer as described below.
        </p>
      </section>

      <section>
        <h2>Changes to this policy</h2>
        <p>
          If we change this policy, we will publish a new version with a new version date at the
          top of this page. The portal will show you the new version and ask you to agree to it
          again.
        </p>
      </section>

      <section>
        <h2>Contact us</h2>
        <p>
          If you have questions about this policy or your privacy, contact the clinic’s privacy
          officer. You can ask for the privacy officer at the front desk, or write to the
          clinic’s privacy officer at the clinic’s postal address.
        </p>
      </section>
    </article>
  );
}
