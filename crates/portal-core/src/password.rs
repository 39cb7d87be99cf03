//! Password hashing with argon2id on a small pool of dedicated threads.
//!
//! Hashing never runs on the async runtime. The pool has one thread fewer than the machine
//! has cores (at least one), and on Linux its threads run at nice 10. A burst of sign-ins
//! therefore queues for the pool and uses the CPU time that other requests leave, instead of
//! slowing every page. Each pool thread keeps its argon2 memory (19 MiB with the default
//! settings) between hashes, so the process has one such buffer per thread.
//! Allocating it per hash instead lets the C allocator keep every freed buffer in a
//! per-thread arena, which grew the server to more than a gigabyte under a login burst.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::oneshot;

use crate::error::ServiceError;

/// Argon2id settings. The defaults follow the OWASP password storage guidance
/// (m = 19456 KiB, t = 2, p = 1).
#[derive(Debug, Clone, Copy)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes and verifies passwords; cheap to clone. The pool threads stop when the last clone
/// is dropped.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password, verified against when an email is unknown so that a
    /// failed sign-in takes the same time whether or not the account exists.
    dummy_hash: Arc<str>,
    pool: HashPool,
}

impl PasswordHasher {
    pub fn new(settings: HashParams) -> Result<Self, ServiceError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| ServiceError::Internal(format!("invalid argon2 parameters: {e}")))?;
        let random_password = SaltString::generate(&mut OsRng);
        let mut memory = Vec::new();
        let dummy_hash = hash_with(&params, random_password.as_str(), &mut memory)?;
        Ok(Self {
            params,
            dummy_hash: dummy_hash.into(),
            pool: HashPool::start(pool_threads())?,
        })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: &str) -> Result<String, ServiceError> {
        let params = self.params.clone();
        let password = zeroize::Zeroizing::new(password.to_owned());
        self.pool
            .run(move |memory| hash_with(&params, &password, memory))
            .await?
    }

    /// Verifies a password against a PHC string; with `None`, verifies against the dummy
    /// hash and returns false, taking the same time as a real check.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, ServiceError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_owned();
        let password = zeroize::Zeroizing::new(password.to_owned());
        let matches = self
            .pool
            .run(move |memory| verify_with(&password, &hash, memory))
            .await?;
        Ok(known && matches)
    }
}

/// Returns the number of hashing threads: one fewer than the available cores, at least one.
fn pool_threads() -> usize {
    std::thread::available_parallelism()
        .map(|cores| cores.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

/// Work for a pool thread, given the thread's reusable argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Threads that run hashing jobs from one queue.
#[derive(Debug, Clone)]
struct HashPool {
    jobs: mpsc::Sender<Job>,
}

impl HashPool {
    fn start(threads: usize) -> Result<Self, ServiceError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for number in 0..threads {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{number}"))
                .spawn(move || {
                    lower_thread_priority();
                    run_jobs(&queue);
                })
                .map_err(|e| {
                    ServiceError::Internal(format!("starting a hashing thread failed: {e}"))
                })?;
        }
        Ok(Self { jobs })
    }

    /// Runs `work` on a pool thread and returns its result.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // A caller that stopped waiting (a client that disconnected) needs no result, so
            // the thread skips its hash and takes the next job.
            if !done.is_closed() {
                let _ = done.send(work(memory));
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| ServiceError::Internal("the hashing threads stopped".into()))?;
        result
            .await
            .map_err(|_| ServiceError::Internal("a hashing job failed".into()))
    }
}

/// Scheduling priority of the hashing threads: nice 10 of the range -20 (first) to 19 (last).
#[cfg(target_os = "linux")]
const HASHING_NICE: libc::c_int = 10;

/// Lowers the calling thread's scheduling priority to [`HASHING_NICE`]. Failure only costs
/// responsiveness under a login burst, so it is logged and hashing goes on.
#[cfg(target_os = "linux")]
fn lower_thread_priority() {
    // SAFETY: neither call takes a pointer. On Linux, `PRIO_PROCESS` with a thread id sets the
    // priority of that thread alone (setpriority(2), NOTES).
    let result = unsafe {
        let thread_id = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, thread_id as libc::id_t, HASHING_NICE)
    };
    if result != 0 {
        tracing::warn!(
            error = %std::io::Error::last_os_error(),
            "lowering the priority of a password hashing thread failed"
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_thread_priority() {}

/// Runs jobs until every sender is dropped. The memory is cleared after each job, so no
/// password-derived state waits in it for the next one.
fn run_jobs(queue: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory = Vec::new();
    loop {
        // The guard is dropped at the end of this statement, so other threads can take the
        // next job while this one works.
        let next = queue.lock().map(|receiver| receiver.recv());
        let Ok(Ok(job)) = next else {
            return;
        };
        job(&mut memory);
        memory.fill(Block::default());
    }
}

/// Hashes `password` with a new random salt into a PHC string, in `memory`.
fn hash_with(
    params: &Params,
    password: &str,
    memory: &mut Vec<Block>,
) -> Result<String, ServiceError> {
    let failed =
        |e: &dyn std::fmt::Display| ServiceError::Internal(format!("password hashing failed: {e}"));
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buffer)
        .map_err(|e| failed(&e))?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(output_len, |out| {
        hasher
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_bytes,
                out,
                blocks(memory, params),
            )
            .map_err(Into::into)
    })
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Checks `password` against a PHC string with the algorithm, version, parameters and salt
/// that the string names, in `memory`. An unparseable string never matches.
fn verify_with(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let hasher = Argon2::new(algorithm, version, params.clone());
    let computed = Output::init_with(expected.len(), |out| {
        hasher
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_bytes,
                out,
                blocks(memory, &params),
            )
            .map_err(Into::into)
    });
    // `Output` compares in constant time.
    computed.is_ok_and(|computed| computed == expected)
}

/// Returns the first `params.block_count()` blocks of `memory`, growing it when needed.
fn blocks<'a>(memory: &'a mut Vec<Block>, params: &Params) -> &'a mut [Block] {
    let count = params.block_count();
    if memory.len() < count {
        memory.resize(count, Block::default());
    }
    &mut memory[..count]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(HashParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let hasher = fast();
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn verify_without_hash_is_false() {
        let hasher = fast();
        assert!(!hasher.verify("anything at all", None).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_match_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

        let hasher = fast();
        let ours = hasher.hash("correct horse battery").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok(),
            "the argon2 crate rejects a hash from the pool: {ours}"
        );

        let params = Params::new(2048, 2, 1, None).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify("correct horse battery", Some(&theirs))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("correct horse battery!", Some(&theirs))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn verify_rejects_malformed_hashes() {
        let hasher = fast();
        let hash = hasher.hash("correct horse battery").await.unwrap();
        let truncated = &hash[..hash.len() - 10];
        for stored in [
            "",
            "not a hash",
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ",
            truncated,
        ] {
            assert!(
                !hasher
                    .verify("correct horse battery", Some(stored))
                    .await
                    .unwrap(),
                "{stored}"
            );
        }
    }

    #[tokio::test]
    async fn concurrent_hashes_all_verify() {
        let hasher = fast();
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let hasher = hasher.clone();
                tokio::spawn(async move {
                    let password = format!("password number {n}");
                    let hash = hasher.hash(&password).await.unwrap();
                    hasher.verify(&password, Some(&hash)).await.unwrap()
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
    }

    #[test]
    fn default_params_follow_owasp() {
        let params = HashParams::default();
        assert!(params.memory_kib >= 19_456);
        assert!(params.iterations >= 2);
    }
}
