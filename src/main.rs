//! The `oc2otel` binary: everything lives in the library (`oc2otel::cli`).

// A migration builds and drops many small trees; mimalloc serves those
// allocations faster than the system allocator (see benches/).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    oc2otel::cli::main()
}
