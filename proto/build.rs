//! Compiles the .proto files with protox (pure Rust; no protoc on the machine)
//! and generates tonic code into OUT_DIR, plus one descriptor set for reflection.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "stdnav/standards/v1/standards.proto",
    "stdnav/profiling/v1/profiling.proto",
    "stdnav/scoring/v1/scoring.proto",
    "stdnav/advisor/v1/advisor.proto",
    "stdnav/changes/v1/changes.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let fds = protox::compile(PROTOS, ["."])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("stdnav_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
