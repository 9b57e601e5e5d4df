/// WASI preview 1 commands written in WAT, for the runtime's tests.
///
/// Memory layout shared by the helpers: bytes 0-7 an iovec, 8 a byte count, 12 the descriptor `path_open` returns.
/// `$open` opens a path relative to a directory descriptor (3 is `/iexec_in`, 4 is `/iexec_out`) and returns the
/// errno; `$write` writes a buffer to a descriptor and returns the errno; `$check` exits with 100 + errno on an error.
enum GuestModule {
    /// A WASI command whose `_start` is `body`, with `data` strings at their offsets.
    static func command(memory: String = "1", data: [Int: String] = [:], body: String) -> String {
        let segments = data.sorted { $0.key < $1.key }.map { offset, text in
            #"(data (i32.const \#(offset)) "\#(escaped(text))")"#
        }
        return #"""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_open"
                (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_create_directory"
                (func $path_create_directory (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_rename"
                (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
              (memory (export "memory") \#(memory))
              \#(segments.joined(separator: "\n  "))
              (func $write (param $fd i32) (param $buffer i32) (param $count i32) (result i32)
                (i32.store (i32.const 0) (local.get $buffer))
                (i32.store (i32.const 4) (local.get $count))
                (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
              (func $open (param $dir i32) (param $path i32) (param $length i32) (param $oflags i32) (param $rights i64)
                (result i32)
                (call $path_open (local.get $dir) (i32.const 0) (local.get $path) (local.get $length)
                  (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 12)))
              (func $check (param $errno i32)
                (if (local.get $errno) (then (call $proc_exit (i32.add (i32.const 100) (local.get $errno))))))
              (func (export "_start")
                \#(body)))
            """#
    }

    /// `text` as the contents of a WAT string: every byte as a `\hh` escape.
    static func escaped(_ text: String) -> String {
        text.utf8.map { byte in
            let hex = String(byte, radix: 16)
            return "\\" + (hex.count == 1 ? "0" + hex : hex)
        }.joined()
    }

    /// WASI rights and flags used by the modules.
    static let readRight = 2  // FD_READ
    static let writeRight = 64  // FD_WRITE
    static let createTruncate = 9  // oflags CREAT | TRUNC
}
