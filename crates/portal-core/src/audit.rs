//! The audit writer: a single task that appends events in batches (group commit).
//!
//! Callers wait until their event is durably stored, so no response goes out before the event
//! that describes it, yet many concurrent requests share one database transaction. Requested
//! appointments go through the same queue with their events, so a burst of requests shares
//! one commit (see [`Store::insert_audited_appointments`] for how each store writes them).

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::{ServiceError, StoreError};
use crate::model::{Appointment, NewAppointment, NewAuditEvent};
use crate::store::Store;

/// Most events written in one transaction.
const MAX_BATCH: usize = 512;

/// A write waiting in the queue, with the channel that returns its result to the caller.
enum Pending {
    Event(NewAuditEvent, oneshot::Sender<Result<(), StoreError>>),
    Appointment(
        Box<(NewAppointment, NewAuditEvent)>,
        oneshot::Sender<Result<Appointment, StoreError>>,
    ),
}

#[derive(Clone)]
pub struct AuditWriter {
    sender: mpsc::Sender<Pending>,
}

impl AuditWriter {
    /// Starts the writer task. It ends, after writing everything queued, once every clone of
    /// the returned writer is dropped.
    pub fn spawn(store: Arc<dyn Store>) -> (Self, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        let task = tokio::spawn(run(store, receiver));
        (Self { sender }, task)
    }

    /// Records an event and waits until it is stored.
    pub async fn record(&self, event: NewAuditEvent) -> Result<(), ServiceError> {
        let (done, wait) = oneshot::channel();
        self.submit(Pending::Event(event, done)).await?;
        answer(wait.await)
    }

    /// Stores a requested appointment together with the event that records the request,
    /// waits until both are stored, and returns the stored appointment.
    pub async fn record_appointment(
        &self,
        appointment: NewAppointment,
        event: NewAuditEvent,
    ) -> Result<Appointment, ServiceError> {
        let (done, wait) = oneshot::channel();
        self.submit(Pending::Appointment(Box::new((appointment, event)), done))
            .await?;
        answer(wait.await)
    }

    async fn submit(&self, pending: Pending) -> Result<(), ServiceError> {
        self.sender
            .send(pending)
            .await
            .map_err(|_| ServiceError::Internal("audit writer stopped".into()))
    }
}

fn answer<T>(
    received: Result<Result<T, StoreError>, oneshot::error::RecvError>,
) -> Result<T, ServiceError> {
    match received {
        Ok(result) => result.map_err(ServiceError::Store),
        Err(_) => Err(ServiceError::Internal("audit writer stopped".into())),
    }
}

async fn run(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (mut events, mut event_waiters) = (Vec::new(), Vec::new());
        let (mut appointments, mut appointment_waiters) = (Vec::new(), Vec::new());
        for pending in batch.drain(..) {
            match pending {
                Pending::Event(event, done) => {
                    events.push(event);
                    event_waiters.push(done);
                }
                Pending::Appointment(item, done) => {
                    appointments.push(*item);
                    appointment_waiters.push(done);
                }
            }
        }
        if !appointments.is_empty() {
            let mut results = store.insert_audited_appointments(&appointments).await;
            if results.len() != appointments.len() {
                tracing::error!(
                    items = appointments.len(),
                    results = results.len(),
                    "the store answered a different number of appointments than it was given"
                );
                results.resize_with(appointments.len(), || {
                    Err(StoreError::Other(
                        "the store gave no result for this item".into(),
                    ))
                });
            }
            for (done, result) in appointment_waiters.into_iter().zip(results) {
                if let Err(error) = &result {
                    tracing::error!(error = %error, "storing a requested appointment failed");
                }
                // A send fails only when the caller stopped waiting, so the error is ignored.
                let _ = done.send(result);
            }
        }
        if !events.is_empty() {
            let result = store.append_audit(&events).await;
            if let Err(error) = &result {
                tracing::error!(error = %error, events = events.len(), "audit write failed");
            }
            for done in event_waiters {
                let _ = done.send(result.clone());
            }
        }
    }
    tracing::debug!("audit writer stopped");
}
