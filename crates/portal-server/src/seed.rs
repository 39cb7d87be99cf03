//! Invented demo data, and the `seed` and `invite create` commands.
//!
//! The data is generated from a fixed random seed, so every fresh demo database contains the
//! same people, providers and appointment pattern. Appointment times are placed relative to the
//! day of seeding so that some always lie ahead.

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use portal_core::Portal;
use portal_core::model::{
    Address, Allergy, AppointmentStatus, Condition, Consent, EmergencyContact, HealthDetails,
    Invite, Medication, NewAppointment, NewAuditEvent, Outcome, ProviderDetails, Role, Severity,
    SexAtBirth, UserRecord, VisitType,
};
use portal_core::services::{PRIVACY_POLICY_VERSION, hash_invite_code, normalise_invite_code};
use portal_core::store::{NewPatient, NewProvider, ProviderRegistration};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::config::{Environment, InviteArgs, SeedArgs};
use crate::server::{build_portal, open_store};

pub const DEMO_PATIENT_EMAIL: &str = "patient@demo.portal.test";
pub const DEMO_PATIENT_PASSWORD: &str = "demo-patient-2026";
pub const DEMO_PROVIDER_EMAIL: &str = "provider@demo.portal.test";
pub const DEMO_PROVIDER_PASSWORD: &str = "demo-provider-2026";
/// Provider invite code of the demo data, valid for a year after seeding.
pub const DEMO_INVITE_CODE: &str = "DEMO-INVITE-CODE-2026";

const SEED: u64 = 20_261_204;

/// Appointments of each seeded patient: the benchmark's data set has three per patient.
const APPOINTMENTS_PER_PATIENT: usize = 3;

const FIRST_NAMES: &[&str] = &[
    "Avery", "Bodhi", "Calla", "Dario", "Elin", "Fenna", "Galen", "Hollis", "Ines", "Jorah",
    "Kaia", "Lorcan", "Maren", "Niko", "Odile", "Pax", "Quilla", "Rafe", "Saoirse", "Tamsin",
    "Ulani", "Vesper", "Wren", "Xavi", "Yara", "Zeno", "Amara", "Bastian", "Corin", "Delphine",
];
const LAST_NAMES: &[&str] = &[
    "Ashcombe",
    "Brightwater",
    "Calloway",
    "Dunmore",
    "Eastbrook",
    "Fairweather",
    "Glenhaven",
    "Hartwell",
    "Ivesdale",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Merriweather",
    "Northcott",
    "Oakhurst",
    "Pemberly",
    "Quenby",
    "Rowanfield",
    "Stillwater",
    "Thornbury",
    "Underhill",
    "Valemont",
    "Westerly",
    "Yarrowby",
    "Zephyrine",
];
const SPECIALTIES: &[&str] = &[
    "Family medicine",
    "Internal medicine",
    "Pediatrics",
    "Geriatrics",
];
const SUBSTANCES: &[&str] = &[
    "Penicillin",
    "Peanuts",
    "Latex",
    "Shellfish",
    "Bee stings",
    "Sulfa drugs",
];
const REACTIONS: &[&str] = &["Hives", "Rash", "Swelling", "Wheezing", ""];
const MEDICATIONS: &[(&str, &str, &str)] = &[
    ("Lisinopril", "10 mg", "Once a day"),
    ("Metformin", "500 mg", "Twice a day"),
    ("Atorvastatin", "20 mg", "Once a day at night"),
    ("Levothyroxine", "50 mcg", "Once a day"),
    ("Albuterol inhaler", "2 puffs", "As needed"),
];
const CONDITIONS: &[&str] = &[
    "Hypertension",
    "Type 2 diabetes",
    "Asthma",
    "Hypothyroidism",
    "Migraine",
];
const REASONS: &[&str] = &[
    "Yearly checkup",
    "Follow-up on blood pressure",
    "Persistent cough",
    "Medication review",
    "Knee pain after running",
    "Vaccination",
];

/// The demo sign-ins printed at start.
pub struct DemoLogins {
    pub seeded_now: bool,
}

impl DemoLogins {
    pub fn banner(&self) -> String {
        let mut text = String::new();
        let status = if self.seeded_now {
            "Demo data created."
        } else {
            "Demo data already present."
        };
        let _ = writeln!(text, "{status} Sign in with:");
        let _ = writeln!(
            text,
            "  patient:  {DEMO_PATIENT_EMAIL} / {DEMO_PATIENT_PASSWORD}"
        );
        let _ = writeln!(
            text,
            "  provider: {DEMO_PROVIDER_EMAIL} / {DEMO_PROVIDER_PASSWORD}"
        );
        let _ = write!(text, "  provider invite code: {DEMO_INVITE_CODE}");
        text
    }
}

/// Seeds demo data when the database contains no accounts.
pub async fn ensure_demo_data(portal: &Portal) -> anyhow::Result<DemoLogins> {
    if !portal.store().is_empty().await? {
        tracing::info!("database has accounts; demo data not added");
        return Ok(DemoLogins { seeded_now: false });
    }
    seed_demo(portal, &SeedPlan::demo(200)).await?;
    Ok(DemoLogins { seeded_now: true })
}

/// `portal seed`: fills an empty database.
pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    // The invented data always includes the demo logins and invite code, whose passwords
    // are published, so a production database must never receive it.
    if args.common.environment == Environment::Production {
        bail!(
            "`portal seed` creates demo accounts with published passwords and is not allowed \
             when PORTAL_ENV=production; seed a separate database with PORTAL_ENV=development"
        );
    }
    let plan = SeedPlan {
        patients: args.patients,
        providers: usize::try_from(args.providers)?,
        shared_password: args.bench_password,
    };
    let store = open_store(&args.common).await?;
    if !store.is_empty().await? {
        bail!("the database already has accounts; seed only an empty database");
    }
    let settings = portal_core::PortalSettings {
        clinic_time_zone: args.common.clinic_time_zone,
        ..Default::default()
    };
    let (portal, audit_task) = build_portal(store.clone(), settings)?;
    let started = std::time::Instant::now();
    seed_demo(&portal, &plan).await?;
    drop(portal);
    audit_task.await.context("audit writer failed")?;
    store.close().await;
    println!(
        "Seeded {} patients in {:.1} s.\n{}",
        args.patients,
        started.elapsed().as_secs_f64(),
        DemoLogins { seeded_now: true }.banner()
    );
    Ok(())
}

/// `portal invite create`: prints a new single-use provider invite code.
pub async fn create_invite(args: InviteArgs) -> anyhow::Result<()> {
    let store = open_store(&args.common).await?;
    let (portal, audit_task) = build_portal(store.clone(), Default::default())?;
    let code = portal
        .create_invite(Duration::hours(i64::from(args.ttl_hours)))
        .await?;
    drop(portal);
    audit_task.await.context("audit writer failed")?;
    store.close().await;
    println!("{code}");
    eprintln!(
        "Single-use provider invite code; it expires in {} hours.",
        args.ttl_hours
    );
    Ok(())
}

/// Sizes and shared password of the invented data.
pub struct SeedPlan {
    pub patients: usize,
    pub providers: usize,
    /// Password of every seeded account other than the demo logins, for load tests. `None`
    /// gives them an unusable password.
    pub shared_password: Option<String>,
}

impl SeedPlan {
    /// Returns the plan of the demo data: `patients` patients, one provider per specialty and
    /// no usable shared password.
    pub fn demo(patients: usize) -> Self {
        Self {
            patients,
            providers: SPECIALTIES.len(),
            shared_password: None,
        }
    }
}

/// Writes the plan's invented patients (the first is the demo patient), providers (the first
/// is the demo provider) and their appointments.
pub async fn seed_demo(portal: &Portal, plan: &SeedPlan) -> anyhow::Result<()> {
    let patient_count = plan.patients;
    let store = portal.store();
    let now = portal.now();
    let today = portal.clinic_date(now);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);

    store
        .insert_invite(&Invite {
            code_hash: hash_invite_code(&normalise_invite_code(DEMO_INVITE_CODE)),
            created_at: now,
            expires_at: now + Duration::days(365),
        })
        .await?;

    // Seeded people other than the demo logins share one hash of a random password that is
    // never printed, so they exist for providers to find but no one can sign in as them. A
    // load test passes its own password instead, so hashing stays one call for any size.
    let shared_password = plan
        .shared_password
        .clone()
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    let shared_hash = portal.hasher().hash(&shared_password).await?;

    let mut provider_ids = Vec::new();
    for index in 0..plan.providers {
        let specialty = SPECIALTIES[index % SPECIALTIES.len()];
        let (email, hash) = if index == 0 {
            (
                DEMO_PROVIDER_EMAIL.to_owned(),
                portal.hasher().hash(DEMO_PROVIDER_PASSWORD).await?,
            )
        } else {
            (
                format!("provider{index}@demo.portal.test"),
                shared_hash.clone(),
            )
        };
        let (first, last) = if index == 0 {
            ("Dana".to_owned(), "Reyes".to_owned())
        } else {
            random_name(&mut rng)
        };
        let user = user(email, Role::Provider, hash, first, last, now);
        let provider = NewProvider {
            user: user.clone(),
            details: ProviderDetails {
                npi: demo_npi(index),
                specialty: specialty.to_owned(),
            },
        };
        // Providers are only created by consuming an invite, so each seeded one gets its own.
        let invite = format!("SEEDPROVIDER{index}");
        store
            .insert_invite(&Invite {
                code_hash: hash_invite_code(&invite),
                created_at: now,
                expires_at: now + Duration::minutes(5),
            })
            .await?;
        let created = store
            .insert_provider(&provider, &hash_invite_code(&invite), now)
            .await?;
        if created != ProviderRegistration::Created {
            bail!("seeding provider {index} failed: its invite was rejected");
        }
        provider_ids.push(user.id);
    }

    for index in 0..patient_count {
        let demo = index == 0;
        let (email, hash) = if demo {
            (
                DEMO_PATIENT_EMAIL.to_owned(),
                portal.hasher().hash(DEMO_PATIENT_PASSWORD).await?,
            )
        } else {
            (
                format!("patient{index}@demo.portal.test"),
                shared_hash.clone(),
            )
        };
        let (first, last) = if demo {
            ("Jordan".to_owned(), "Avila".to_owned())
        } else {
            random_name(&mut rng)
        };
        let date_of_birth = if demo {
            NaiveDate::from_ymd_opt(1978, 4, 12).unwrap_or(today)
        } else {
            today - Duration::days(rng.gen_range(365..(90 * 365)))
        };
        let primary = if demo || index % 3 == 0 {
            provider_ids[0]
        } else {
            *provider_ids.choose(&mut rng).unwrap_or(&provider_ids[0])
        };
        let user = user(email, Role::Patient, hash, first, last, now);
        let patient = NewPatient {
            user: user.clone(),
            date_of_birth,
            consent: Consent {
                policy_version: PRIVACY_POLICY_VERSION.to_owned(),
                accepted_at: now,
            },
            health: random_health(&mut rng, primary, demo),
        };
        store
            .insert_patient(&patient, &seeded_event(user.id, now))
            .await?;

        for slot in 0..APPOINTMENTS_PER_PATIENT {
            let provider_id = if slot == 0 || demo {
                primary
            } else {
                *provider_ids.choose(&mut rng).unwrap_or(&primary)
            };
            let start = appointment_start(&mut rng, now, demo, slot);
            let status = appointment_status(&mut rng, start > now);
            store
                .insert_appointment(&NewAppointment {
                    id: Uuid::now_v7(),
                    patient_id: user.id,
                    provider_id,
                    preferred_start: start,
                    visit_type: if rng.gen_bool(0.3) {
                        VisitType::Telehealth
                    } else {
                        VisitType::InPerson
                    },
                    reason: (*REASONS.choose(&mut rng).unwrap_or(&"Checkup")).to_owned(),
                    status,
                    created_at: now,
                })
                .await?;
        }
    }
    tracing::info!(
        patients = patient_count,
        providers = provider_ids.len(),
        "demo data created"
    );
    Ok(())
}

/// Builds the audit event recording that the seed command created a patient's account.
fn seeded_event(patient_id: Uuid, now: DateTime<Utc>) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: now,
        actor_id: None,
        actor_role: None,
        action: "account.seed".into(),
        subject_id: Some(patient_id),
        outcome: Outcome::Success,
        request_id: "seed".to_owned(),
        client_addr: "local".to_owned(),
        detail: None,
    }
}

fn user(
    email: String,
    role: Role,
    hash: String,
    first: String,
    last: String,
    now: DateTime<Utc>,
) -> UserRecord {
    UserRecord {
        id: Uuid::now_v7(),
        email,
        role,
        password_hash: hash,
        first_name: first,
        last_name: last,
        created_at: now,
        updated_at: now,
    }
}

fn random_name(rng: &mut ChaCha8Rng) -> (String, String) {
    let first = FIRST_NAMES.choose(rng).unwrap_or(&"Alex");
    let last = LAST_NAMES.choose(rng).unwrap_or(&"Smith");
    ((*first).to_owned(), (*last).to_owned())
}

fn random_health(rng: &mut ChaCha8Rng, primary: Uuid, demo: bool) -> HealthDetails {
    let allergy_count = if demo { 1 } else { rng.gen_range(0..=2) };
    let medication_count = if demo { 2 } else { rng.gen_range(0..=3) };
    let condition_count = if demo { 1 } else { rng.gen_range(0..=2) };
    let severities = [
        Severity::Mild,
        Severity::Moderate,
        Severity::Severe,
        Severity::Unknown,
    ];
    HealthDetails {
        sex_at_birth: Some(
            *[SexAtBirth::Female, SexAtBirth::Male]
                .choose(rng)
                .unwrap_or(&SexAtBirth::Unknown),
        ),
        phone: Some(format!(
            "+1 555 01{:02} {:04}",
            rng.gen_range(0..100),
            rng.gen_range(0..10_000)
        )),
        address: Some(Address {
            line1: format!("{} Example Street", rng.gen_range(1..999)),
            line2: String::new(),
            city: "Springfield".into(),
            region: "Demo County".into(),
            postal_code: format!("{:05}", rng.gen_range(10_000..99_999)),
            country: "United States".into(),
        }),
        emergency_contact: Some(EmergencyContact {
            name: "Sam Example".into(),
            relationship: "Partner".into(),
            phone: format!(
                "+1 555 02{:02} {:04}",
                rng.gen_range(0..100),
                rng.gen_range(0..10_000)
            ),
        }),
        allergies: SUBSTANCES
            .choose_multiple(rng, allergy_count)
            .map(|substance| Allergy {
                substance: (*substance).to_owned(),
                reaction: (*REACTIONS.choose(rng).unwrap_or(&"")).to_owned(),
                severity: *severities.choose(rng).unwrap_or(&Severity::Unknown),
            })
            .collect(),
        medications: MEDICATIONS
            .choose_multiple(rng, medication_count)
            .map(|(name, dose, frequency)| Medication {
                name: (*name).to_owned(),
                dose: (*dose).to_owned(),
                frequency: (*frequency).to_owned(),
            })
            .collect(),
        conditions: CONDITIONS
            .choose_multiple(rng, condition_count)
            .map(|name| Condition {
                name: (*name).to_owned(),
            })
            .collect(),
        primary_provider_id: Some(primary),
    }
}

/// Places appointments between 300 days ago and 120 days ahead, on the hour in clinic hours.
fn appointment_start(
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
    demo: bool,
    slot: usize,
) -> DateTime<Utc> {
    let days = if demo {
        [-200, 7, 30][slot % 3]
    } else {
        rng.gen_range(-300..120)
    };
    let day = now + Duration::days(days);
    let hour = rng.gen_range(14..22);
    day.with_hour(hour)
        .and_then(|d| d.with_minute(0))
        .and_then(|d| d.with_second(0))
        .and_then(|d| d.with_nanosecond(0))
        .unwrap_or(day)
}

fn appointment_status(rng: &mut ChaCha8Rng, future: bool) -> AppointmentStatus {
    let roll: f64 = rng.r#gen();
    if future {
        if roll < 0.5 {
            AppointmentStatus::Requested
        } else {
            AppointmentStatus::Confirmed
        }
    } else if roll < 0.8 {
        AppointmentStatus::Completed
    } else if roll < 0.9 {
        AppointmentStatus::Cancelled
    } else {
        AppointmentStatus::Declined
    }
}

/// Builds a valid NPI for the nth demo provider.
fn demo_npi(index: usize) -> String {
    let offset = u32::try_from(index).unwrap_or(0);
    portal_core::domain::Npi::from_first_nine(100_000_001 + offset)
        .as_str()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_npis_are_valid() {
        // `portal seed --providers` accepts up to 1000.
        for index in 0..1000 {
            assert!(
                portal_core::domain::Npi::parse(&demo_npi(index)).is_ok(),
                "index {index}"
            );
        }
    }
}
