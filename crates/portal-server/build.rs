//! Rebuilds the binary when the built web app changes, because the release binary contains
//! the files of `web/dist` (see `src/web.rs`). Cargo checks every file under the folder.

fn main() {
    println!("cargo::rerun-if-changed=../../web/dist");
}
