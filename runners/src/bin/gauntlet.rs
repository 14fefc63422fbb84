//! The `gauntlet` command line.

fn main() -> std::process::ExitCode {
    gauntlet_runners::cli::main()
}
