//! The audit writer: a single task that appends events in batches (group commit).
//!
//! Callers wait until their event is durably stored, so no response goes out before the event
//! that describes it, yet many concurrent requests share one database transaction. Requested
//! appointments go through the same queue with their events, so a burst of requests shares
//! one transaction, and each appointment is stored together with its event or not at all.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::{ServiceError, StoreError};
use crate::model::{NewAppointment, NewAuditEvent};
use crate::store::Store;

/// Most events written in one transaction.
const MAX_BATCH: usize = 512;

/// A write waiting in the queue.
enum Entry {
    Event(NewAuditEvent),
    Appointment(Box<(NewAppointment, NewAuditEvent)>),
}

type Pending = (Entry, oneshot::Sender<Result<(), StoreError>>);

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
        self.submit(Entry::Event(event)).await
    }

    /// Stores a requested appointment together with the event that records the request, and
    /// waits until both are stored.
    pub async fn record_appointment(
        &self,
        appointment: NewAppointment,
        event: NewAuditEvent,
    ) -> Result<(), ServiceError> {
        self.submit(Entry::Appointment(Box::new((appointment, event))))
            .await
    }

    async fn submit(&self, entry: Entry) -> Result<(), ServiceError> {
        let (done, wait) = oneshot::channel();
        self.sender
            .send((entry, done))
            .await
            .map_err(|_| ServiceError::Internal("audit writer stopped".into()))?;
        match wait.await {
            Ok(result) => result.map_err(ServiceError::Store),
            Err(_) => Err(ServiceError::Internal("audit writer stopped".into())),
        }
    }
}

async fn run(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (mut events, mut appointments) = (Vec::new(), Vec::new());
        let (mut event_waiters, mut appointment_waiters) = (Vec::new(), Vec::new());
        for (entry, done) in batch.drain(..) {
            match entry {
                Entry::Event(event) => {
                    events.push(event);
                    event_waiters.push(done);
                }
                Entry::Appointment(item) => {
                    appointments.push(*item);
                    appointment_waiters.push(done);
                }
            }
        }
        if !appointments.is_empty() {
            let results = store.insert_audited_appointments(&appointments).await;
            for (done, result) in appointment_waiters.into_iter().zip(results) {
                if let Err(error) = &result {
                    tracing::error!(error = %error, "storing a requested appointment failed");
                }
                // A caller that gave up waiting has nothing left to tell.
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
