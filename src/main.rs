fn main() -> std::process::ExitCode {
    oc2otel::cli::main()
}
