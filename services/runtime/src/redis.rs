//! One way to connect to Redis for every part that keeps state there (the
//! profile store, batch checkpoints): the async connection manager, which
//! reconnects by itself, with short timeouts so a missing Redis fails fast.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Connects to `url`; fails within about 5 s when nothing answers. The
/// error says why in words a user can act on.
pub async fn connect(url: &str) -> Result<ConnectionManager, String> {
    let client = redis::Client::open(url).map_err(|e| format!("bad Redis URL: {e}"))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500));
    tokio::time::timeout(
        Duration::from_secs(5),
        client.get_connection_manager_with_config(config),
    )
    .await
    .map_err(|_| format!("no answer from Redis at {url}"))?
    .map_err(|e| e.to_string())
}

/// For tests against a real Redis: the URL (`STDNAV_TEST_REDIS_URL`,
/// default 127.0.0.1:6379) and a key prefix of the test's own, so runs
/// never collide. None, with the reason printed, when nothing answers;
/// under CI (`CI` set) that is a failure, not a skip.
pub async fn for_tests(name: &str) -> Option<(String, String)> {
    let url = std::env::var("STDNAV_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let prefix = format!("stdnav-test-{name}-{}-{now}", std::process::id());
    match connect(&url).await {
        Ok(_) => Some((url, prefix)),
        Err(e) if std::env::var("CI").is_ok() => panic!("Redis is required in CI: {e}"),
        Err(e) => {
            eprintln!("skipping: no Redis at {url}: {e}");
            None
        }
    }
}
