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

/// mimalloc asks the kernel for transparent huge pages on its arenas
/// (where the system allows them on request, as most distributions do):
/// a 2 MiB page then counts whole in the resident memory however little
/// of it is used, which doubled a run's peak memory for no speed gained
/// (benches/batch.rs measures both). Turned off for this process only,
/// from a constructor that runs before `main` (the Rust runtime allocates
/// before `main` starts, and the allocator's first pages must already be
/// small ones); where the kernel refuses, nothing changes but the memory
/// figure.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static DISABLE_TRANSPARENT_HUGE_PAGES: extern "C" fn() = {
    extern "C" fn disable() {
        // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no
        // memory of this process.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
    disable
};

/// mimalloc keeps the pages a run frees for a while (its purge delay)
/// before it gives them back, in case they are asked for again. A run over
/// a repository frees each chunk's files as the next ones are read, so the
/// pages it had not yet given back piled up: peak memory grew with the
/// repository by far more than the run kept (benches/batch.rs: 35 MB
/// against 24 MB for 40,000 files). Given back at once, the pages cost a
/// few more page faults and no measurable time. Set from a constructor,
/// like the huge pages above, before the first allocation.
#[cfg(not(target_arch = "wasm32"))]
#[used]
#[unsafe(link_section = ".init_array")]
static RETURN_FREED_PAGES_AT_ONCE: extern "C" fn() = {
    unsafe extern "C" {
        /// mimalloc's `mi_option_set` (mimalloc.h), in the allocator the
        /// `mimalloc` crate links.
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    /// `mi_option_purge_delay` in mimalloc.h's `mi_option_e`.
    const PURGE_DELAY: std::ffi::c_int = 15;
    extern "C" fn set() {
        // SAFETY: sets one of mimalloc's integer options; it reads no
        // memory of this process.
        unsafe { mi_option_set(PURGE_DELAY, 0) }
    }
    set
};
