//! The test harness: a fresh database per test on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set, and a `TestApp` that drives the real router in-process.

use std::sync::atomic::{AtomicU32, Ordering};

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use server::config::{Config, DatabaseUrl};
use server::state::AppState;
use tower::ServiceExt;

/// Which database a test runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A fresh SQLite file in a temporary folder.
    Sqlite,
    /// A fresh schema in the PostgreSQL database at this URL.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL if `TEST_DATABASE_URL` is set.
    pub fn postgres() -> Option<Backend> {
        #[expect(
            clippy::disallowed_methods,
            reason = "the harness reads its one setting"
        )]
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(Backend::Postgres)
    }
}

/// Runs each named `async fn name(backend: Backend)` as two tests, `name::sqlite` and
/// `name::postgres`; the second runs only when `TEST_DATABASE_URL` is set.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::util::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(backend) = $crate::util::Backend::postgres() {
                        super::$name(backend).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_databases;

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    /// The URL the portal connects with.
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(std::path::PathBuf),
    Schema { admin_url: String, schema: String },
}

impl TestDb {
    /// Creates an empty database on `backend`.
    pub async fn new(backend: &Backend) -> TestDb {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let unique = format!(
            "{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        match backend {
            Backend::Sqlite => {
                let folder = std::env::temp_dir().join(format!("portal-test-{unique}"));
                std::fs::create_dir_all(&folder).unwrap();
                let url = format!("sqlite://{}", folder.join("portal.db").display());
                TestDb {
                    url: DatabaseUrl::new(url),
                    cleanup: Cleanup::Folder(folder),
                }
            }
            Backend::Postgres(admin_url) => {
                let schema = format!("test_{unique}");
                let pool = sqlx::PgPool::connect(admin_url)
                    .await
                    .expect("TEST_DATABASE_URL must be reachable");
                sqlx::query(&format!("create schema {schema}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
                TestDb {
                    url: DatabaseUrl::new(url),
                    cleanup: Cleanup::Schema {
                        admin_url: admin_url.clone(),
                        schema,
                    },
                }
            }
        }
    }

    /// A configuration using this database, otherwise the defaults.
    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            ..Config::default()
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A name unique to this process and moment.
pub fn uuid_like() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Folder(folder) => {
                let _ = std::fs::remove_dir_all(folder);
            }
            Cleanup::Schema { admin_url, schema } => {
                let (admin_url, schema) = (admin_url.clone(), schema.clone());
                // Drop runs inside the test's runtime, which cannot block on itself.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                            let _ = sqlx::query(&format!("drop schema {schema} cascade"))
                                .execute(&pool)
                                .await;
                            pool.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The portal's router on a fresh database, driven in-process.
pub struct TestApp {
    /// The running state (database, configuration).
    pub state: AppState,
    /// The data folder: token secret, and a stand-in `activator.exe`.
    pub data_dir: std::path::PathBuf,
    router: Router,
    // Declared last so the pool closes before the database is removed; `None` for a
    // second instance, which leaves the database to the first.
    _db: Option<TestDb>,
}

/// The bytes of the stand-in `activator.exe` every test app serves: a 3 KB Windows
/// program, unsigned.
pub const FAKE_EXE: &[u8] = include_bytes!("../../../tests/fixtures/authenticode/tiny.exe");

/// The same program signed by a test CA (`tests/fixtures/authenticode/SOURCES.md`).
pub const SIGNED_EXE: &[u8] =
    include_bytes!("../../../tests/fixtures/authenticode/tiny-signed.exe");

/// The address requests come from unless a test says otherwise.
pub const CLIENT: &str = "127.0.0.1:50123";

/// A response with its body read.
#[derive(Debug)]
pub struct TestResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text (lossy for binary bodies).
    pub text: String,
    /// The body's bytes.
    pub bytes: Vec<u8>,
}

impl TestApp {
    /// An app with the default configuration on a fresh database.
    pub async fn new(backend: Backend) -> TestApp {
        TestApp::with_config(backend, |_| {}).await
    }

    /// An app whose configuration `edit` adjusts first.
    pub async fn with_config(backend: Backend, edit: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::new(&backend).await;
        let data_dir = std::env::temp_dir().join(format!("portal-data-{}", uuid_like()));
        std::fs::create_dir_all(&data_dir).unwrap();
        std::fs::write(data_dir.join("activator.exe"), FAKE_EXE).unwrap();
        let mut config = db.config();
        config.data_dir = data_dir.clone();
        config.activator_exe = data_dir.join("activator.exe");
        edit(&mut config);
        config.validate().unwrap();
        let state = server::prepare(config).await.unwrap();
        TestApp {
            router: server::app(state.clone()),
            state,
            data_dir,
            _db: Some(db),
        }
    }

    /// A second portal on this app's database and data folder (so the same token
    /// secret), as when several instances share one PostgreSQL.
    pub async fn second_instance(&self) -> TestApp {
        let config = (*self.state.config).clone();
        let state = server::prepare(config).await.unwrap();
        TestApp {
            router: server::app(state.clone()),
            state,
            data_dir: self.data_dir.clone(),
            _db: None,
        }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// `GET uri` with one extra header.
    pub async fn get_with(&self, uri: &str, name: header::HeaderName, value: &str) -> TestResponse {
        self.request(
            Request::get(uri)
                .header(name, value)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Sends any request, from [`CLIENT`] unless it carries a `ConnectInfo` of its own.
    pub async fn request(&self, mut request: Request<Body>) -> TestResponse {
        if request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_none()
        {
            request
                .extensions_mut()
                .insert(ConnectInfo(CLIENT.parse::<SocketAddr>().unwrap()));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }
}

impl TestResponse {
    /// The value of header `name`, or "".
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the status and that the body is an HTML page.
    #[track_caller]
    pub fn assert_page(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "{}", self.text);
        assert!(
            self.header(header::CONTENT_TYPE).starts_with("text/html"),
            "{:?}",
            self.headers
        );
        assert!(self.text.starts_with("<!doctype html>"), "{}", self.text);
        self
    }

    /// Asserts that the body contains `needle`.
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.text.contains(needle),
            "expected {needle:?} in:\n{}",
            self.text
        );
        self
    }
}
