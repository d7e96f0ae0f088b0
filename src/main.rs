//! The `oc2otel` binary: everything lives in the library (`oc2otel::cli`).

// A migration builds and drops many small trees; mimalloc serves those
// allocations faster than the system allocator (see benches/). Not on
// wasm32, where mimalloc does not build (the playground uses the library
// only, but `cargo build --target wasm32-unknown-unknown` builds this too).
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    oc2otel::cli::main()
}
