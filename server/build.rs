//! Rebuilds the server when embedded migrations change (`sqlx::migrate!` reads them at
//! compile time but does not tell cargo to watch the folders).

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
