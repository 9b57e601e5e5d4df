import ClaveCLI

/// The `clave` executable: only the entry point; every command lives in ClaveCLI.
@main
extension ClaveCommand {}
