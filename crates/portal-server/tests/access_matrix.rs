//! Who may call each route that reads or writes protected health information, and what the
//! audit log records when a call is rejected.

mod common;

use common::{Client, TestApp, appointment_body, assert_problem, in_hours};
use portal_core::model::{Outcome, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// One PHI route, with the audit action its service records.
struct Route {
    method: Method,
    path: String,
    body: Option<Value>,
    action: &'static str,
}

impl Route {
    fn new(method: Method, path: String, body: Option<Value>, action: &'static str) -> Self {
        Self {
            method,
            path,
            body,
            action,
        }
    }
}

/// A patient with a requested appointment with a provider, who therefore has them in care.
struct World {
    app: TestApp,
    patient: Client,
    provider: Client,
    appointment_id: String,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let patient = app.register_patient().await;
        let provider = app.provider().await;
        let appointment = patient.request_appointment(&provider, 24).await;
        let appointment_id = appointment["id"].as_str().unwrap_or_default().to_owned();
        Self {
            app,
            patient,
            provider,
            appointment_id,
        }
    }

    fn patient_routes(&self) -> Vec<Route> {
        let profile =
            json!({"firstName": "Eve", "lastName": "Intruder", "dateOfBirth": "1980-01-01"});
        let appointment = appointment_body(self.provider.id, &in_hours(48));
        vec![
            Route::new(
                Method::GET,
                "/api/v1/patient/dashboard".into(),
                None,
                "dashboard.read",
            ),
            Route::new(
                Method::GET,
                "/api/v1/patient/profile".into(),
                None,
                "profile.read",
            ),
            Route::new(
                Method::PUT,
                "/api/v1/patient/profile".into(),
                Some(profile),
                "profile.update",
            ),
            Route::new(
                Method::GET,
                "/api/v1/patient/appointments".into(),
                None,
                "appointments.list",
            ),
            Route::new(
                Method::POST,
                "/api/v1/patient/appointments".into(),
                Some(appointment),
                "appointment.request",
            ),
            Route::new(
                Method::POST,
                format!(
                    "/api/v1/patient/appointments/{}/cancel",
                    self.appointment_id
                ),
                None,
                "appointment.cancel",
            ),
            Route::new(
                Method::GET,
                "/api/v1/patient/access-log".into(),
                None,
                "access_log.read",
            ),
        ]
    }

    fn provider_routes(&self) -> Vec<Route> {
        vec![
            Route::new(
                Method::GET,
                "/api/v1/provider/patients".into(),
                None,
                "patients.list",
            ),
            Route::new(
                Method::GET,
                format!("/api/v1/provider/patients/{}", self.patient.id),
                None,
                "profile.read",
            ),
            Route::new(
                Method::GET,
                "/api/v1/provider/appointments".into(),
                None,
                "appointments.list",
            ),
            Route::new(
                Method::POST,
                format!(
                    "/api/v1/provider/appointments/{}/confirm",
                    self.appointment_id
                ),
                None,
                "appointment.confirm",
            ),
            Route::new(
                Method::POST,
                format!(
                    "/api/v1/provider/appointments/{}/decline",
                    self.appointment_id
                ),
                None,
                "appointment.decline",
            ),
        ]
    }

    async fn appointment_status(&self) -> Value {
        let (_, _, list) = self.patient.get("/api/v1/patient/appointments").await;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .find(|item| item["id"] == json!(self.appointment_id))
            .map(|item| item["status"].clone())
            .unwrap_or(Value::Null)
    }

    async fn denied_by(&self, actor: Uuid, action: &str) -> usize {
        self.app
            .events_by_actor(actor)
            .await
            .iter()
            .filter(|event| event.action == action && event.outcome == "denied")
            .count()
    }
}

#[tokio::test]
async fn anonymous_gets_401_on_phi_routes() {
    let world = World::new().await;
    let mut routes = world.patient_routes();
    routes.extend(world.provider_routes());

    for route in &routes {
        for token in [None, Some("not-a-token")] {
            let reply = world
                .app
                .send(route.method.clone(), &route.path, token, route.body.clone())
                .await;
            assert_eq!(
                reply.0,
                StatusCode::UNAUTHORIZED,
                "{} {} with token {token:?}",
                route.method,
                route.path
            );
            assert_problem(&reply, StatusCode::UNAUTHORIZED);
        }
    }

    assert_eq!(
        world.appointment_status().await,
        "requested",
        "no anonymous call changed the appointment"
    );
    assert_eq!(
        world.patient.profile().await["firstName"],
        "Ana",
        "no anonymous call changed the profile"
    );
}

#[tokio::test]
async fn patient_cannot_cancel_others_appointment() {
    let world = World::new().await;
    let intruder = world.app.register_patient().await;
    let path = format!(
        "/api/v1/patient/appointments/{}/cancel",
        world.appointment_id
    );

    let reply = intruder.post_empty(&path).await;
    let unknown = intruder
        .post_empty(&format!(
            "/api/v1/patient/appointments/{}/cancel",
            Uuid::new_v4()
        ))
        .await;
    let malformed = intruder
        .post_empty("/api/v1/patient/appointments/not-a-uuid/cancel")
        .await;

    assert_problem(&reply, StatusCode::NOT_FOUND);
    assert_eq!(reply.2, unknown.2, "the same body as an unknown id");
    assert_eq!(reply.2, malformed.2, "the same body as a malformed id");
    assert_eq!(
        world.appointment_status().await,
        "requested",
        "the owner's appointment is unchanged"
    );
    let denied = world
        .app
        .access_events(world.patient.id)
        .await
        .into_iter()
        .filter(|event| {
            event.action == "appointment.cancel"
                && event.outcome == Outcome::Denied
                && event.actor_id == Some(intruder.id)
        })
        .count();
    assert_eq!(denied, 1, "the attempt is audited on the owner's record");
}

#[tokio::test]
async fn provider_cannot_decide_others_appointment() {
    let world = World::new().await;
    let stranger = world.app.provider_named("Sam", "Okafor").await;

    for decision in ["confirm", "decline"] {
        let path = format!(
            "/api/v1/provider/appointments/{}/{decision}",
            world.appointment_id
        );
        let reply = stranger.post_empty(&path).await;
        assert_eq!(
            reply.0,
            StatusCode::NOT_FOUND,
            "{decision} by another provider"
        );
        assert_problem(&reply, StatusCode::NOT_FOUND);
        let action = format!("appointment.{decision}");
        let denied = world
            .app
            .count_access_events(world.patient.id, &action, Outcome::Denied)
            .await;
        assert_eq!(
            denied, 1,
            "{action} is audited as denied on the patient's record"
        );
    }

    assert_eq!(
        world.appointment_status().await,
        "requested",
        "the appointment is unchanged"
    );
}

#[tokio::test]
async fn provider_in_care_allowed() {
    let world = World::new().await;

    for route in world.provider_routes() {
        // Confirming first would make the decline a 409, so the decline is checked below.
        if route.action == "appointment.decline" {
            continue;
        }
        let (status, _, body) = world
            .provider
            .send(route.method.clone(), &route.path, route.body.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{} {}: {body}",
            route.method,
            route.path
        );
    }

    let second = world.patient.request_appointment(&world.provider, 72).await;
    let path = format!(
        "/api/v1/provider/appointments/{}/decline",
        second["id"].as_str().unwrap_or_default()
    );
    let (status, _, _) = world.provider.post_empty(&path).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "decline of an appointment with the provider"
    );
}

#[tokio::test]
async fn provider_primary_only_allowed() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;
    let update = json!({
        "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-05-01",
        "primaryProviderId": provider.id,
    });
    assert_eq!(
        patient.put("/api/v1/patient/profile", update).await.0,
        StatusCode::OK
    );

    let (status, _, profile) = provider
        .get(&format!("/api/v1/provider/patients/{}", patient.id))
        .await;

    assert_eq!(
        status,
        StatusCode::OK,
        "the primary provider may read the profile"
    );
    assert_eq!(profile["id"], json!(patient.id), "the patient's profile");
}

#[tokio::test]
async fn provider_outside_care_gets_404() {
    let world = World::new().await;
    let stranger = world.app.provider_named("Sam", "Okafor").await;
    let path = format!("/api/v1/provider/patients/{}", world.patient.id);

    let reply = stranger.get(&path).await;
    let unknown = stranger
        .get(&format!("/api/v1/provider/patients/{}", Uuid::new_v4()))
        .await;

    assert_problem(&reply, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.2, unknown.2,
        "the same body as an unknown id, so the record's existence does not leak"
    );
    let events = world.app.access_events(world.patient.id).await;
    let denied: Vec<_> = events
        .iter()
        .filter(|event| event.action == "profile.read" && event.outcome == Outcome::Denied)
        .collect();
    assert_eq!(
        denied.len(),
        1,
        "the rejected read is audited on the patient's record"
    );
    assert_eq!(
        denied[0].actor_id,
        Some(stranger.id),
        "the actor is the provider"
    );
    assert_eq!(
        denied[0].actor_role,
        Some(Role::Provider),
        "the actor role is provider"
    );
}

#[tokio::test]
async fn patient_on_provider_routes_gets_403() {
    let world = World::new().await;
    let mut routes = world.provider_routes();
    routes.push(Route::new(
        Method::PUT,
        format!("/api/v1/provider/patients/{}", world.patient.id),
        Some(json!({"firstName": "Eve"})),
        "profile.update",
    ));

    for route in &routes {
        let reply = world
            .patient
            .send(route.method.clone(), &route.path, route.body.clone())
            .await;
        assert_eq!(
            reply.0,
            StatusCode::FORBIDDEN,
            "{} {} as a patient",
            route.method,
            route.path
        );
        assert_problem(&reply, StatusCode::FORBIDDEN);
        assert_eq!(
            world.denied_by(world.patient.id, route.action).await,
            1,
            "{} is audited as denied",
            route.action
        );
    }

    assert_eq!(
        world.appointment_status().await,
        "requested",
        "the patient could not decide their own request"
    );
}

#[tokio::test]
async fn provider_on_patient_routes_gets_403() {
    let world = World::new().await;
    let before = world.patient.profile().await;

    for route in world.patient_routes() {
        let reply = world
            .provider
            .send(route.method.clone(), &route.path, route.body.clone())
            .await;
        assert_eq!(
            reply.0,
            StatusCode::FORBIDDEN,
            "{} {} as a provider",
            route.method,
            route.path
        );
        assert_problem(&reply, StatusCode::FORBIDDEN);
        assert_eq!(
            world.denied_by(world.provider.id, route.action).await,
            1,
            "{} is audited as denied",
            route.action
        );
    }

    assert_eq!(
        world.appointment_status().await,
        "requested",
        "the provider could not cancel through the patient route"
    );
    assert_eq!(
        world.patient.profile().await,
        before,
        "the profile is unchanged"
    );
    let (_, _, list) = world.provider.get("/api/v1/provider/appointments").await;
    assert_eq!(
        list["total"], 1,
        "the provider could not request an appointment"
    );
}

#[tokio::test]
async fn provider_profile_write_forbidden() {
    let world = World::new().await;
    let stranger = world.app.provider_named("Sam", "Okafor").await;
    let before = world.patient.profile().await;
    let path = format!("/api/v1/provider/patients/{}", world.patient.id);
    let body =
        json!({"firstName": "Changed", "lastName": "By Provider", "dateOfBirth": "1970-01-01"});
    let methods = [Method::PUT, Method::PATCH, Method::POST, Method::DELETE];

    for provider in [&world.provider, &stranger] {
        for method in &methods {
            let reply = provider
                .send(method.clone(), &path, Some(body.clone()))
                .await;
            assert_eq!(
                reply.0,
                StatusCode::FORBIDDEN,
                "{method} on a patient's profile"
            );
            assert_problem(&reply, StatusCode::FORBIDDEN);
        }
    }

    assert_eq!(
        world.patient.profile().await,
        before,
        "the profile is unchanged"
    );
    let events = world.app.access_events(world.patient.id).await;
    for provider in [&world.provider, &stranger] {
        let denied = events
            .iter()
            .filter(|event| {
                event.action == "profile.update"
                    && event.outcome == Outcome::Denied
                    && event.actor_id == Some(provider.id)
            })
            .count();
        assert_eq!(
            denied,
            methods.len(),
            "every write attempt is audited as denied on the patient's record"
        );
    }
}

#[tokio::test]
async fn provider_profile_write_without_body_forbidden() {
    let world = World::new().await;
    let path = format!("/api/v1/provider/patients/{}", world.patient.id);

    let reply = world.provider.send(Method::DELETE, &path, None).await;

    assert_problem(&reply, StatusCode::FORBIDDEN);
    assert_eq!(
        world
            .app
            .count_access_events(world.patient.id, "profile.update", Outcome::Denied)
            .await,
        1,
        "audited as denied"
    );
}
