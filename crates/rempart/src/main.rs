fn main() -> std::process::ExitCode {
    rempart::run()
}
