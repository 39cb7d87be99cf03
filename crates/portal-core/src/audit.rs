//! The audit writer: a single task that appends events in batches (group commit).
//!
//! Callers wait until their event is durably stored, so no response goes out before the event
//! that describes it, yet many concurrent requests share one database transaction.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::{ServiceError, StoreError};
use crate::model::NewAuditEvent;
use crate::store::Store;

/// Most events written in one transaction.
const MAX_BATCH: usize = 512;

type Pending = (NewAuditEvent, oneshot::Sender<Result<(), String>>);

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
        self.sender
            .send((event, done))
            .await
            .map_err(|_| ServiceError::Internal("audit writer stopped".into()))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(ServiceError::Store(StoreError::Unavailable(reason))),
            Err(_) => Err(ServiceError::Internal("audit writer stopped".into())),
        }
    }
}

async fn run(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let events: Vec<NewAuditEvent> = batch.iter().map(|(event, _)| event.clone()).collect();
        let result = store.append_audit(&events).await.map_err(|error| {
            tracing::error!(error = %error, events = events.len(), "audit write failed");
            error.to_string()
        });
        for (_, done) in batch.drain(..) {
            // A caller that gave up waiting has nothing left to tell.
            let _ = done.send(result.clone());
        }
    }
    tracing::debug!("audit writer stopped");
}
