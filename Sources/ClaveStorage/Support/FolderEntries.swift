#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The entries of a folder opened with `opendir`/`fdopendir`, read with `readdir`: one system call per batch of names,
/// where FileManager's listings stat every entry and build a URL for each.
package enum FolderEntries {
    /// Calls `body` with the name of each entry of `folder` but `.` and `..`; the name is valid only during the call.
    package static func each(in folder: OpaquePointer, _ body: (UnsafePointer<CChar>) -> Void) {
        while let entry = readdir(folder) {
            withUnsafePointer(to: entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    if strcmp($0, ".") != 0 && strcmp($0, "..") != 0 { body($0) }
                }
            }
        }
    }
}
