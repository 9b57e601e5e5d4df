/// The projects `clave app init` writes: an app that reads one field of its protected data and greets it, with
/// `iapp.json`, a README, the mock protected data `clave app test` runs it on, and an `.iappignore` that keeps the
/// mock and the test output out of the deployed bundle.
enum AppTemplate: String, CaseIterable, Sendable {
    case python
    case node
    case wasmC = "wasm-c"

    /// A file of a project: its path, its contents, and whether it is executable.
    struct File: Sendable {
        let path: String
        let contents: String
        var executable = false
    }

    /// The protected record the project's mock is made of, and what the app makes of it.
    static let mockRecord = #"{"name": "Ada", "email": "ada@example.com"}"#

    /// The project's files, `{{name}}` replaced by the app's name.
    func files(name: String) -> [File] {
        let own: [File]
        switch self {
        case .python:
            own = [
                File(path: "iapp.json", contents: Self.manifest(name, "process", #"["python3", "app.py"]"#)),
                File(path: "app.py", contents: Self.pythonSource),
            ]
        case .node:
            own = [
                File(
                    path: "iapp.json",
                    contents: Self.manifest(name, "process", #"["node", "app.js"]"#, memoryMiB: 1024, processes: 64)
                ),
                File(path: "app.js", contents: Self.nodeSource),
            ]
        case .wasmC:
            own = [
                File(path: "iapp.json", contents: Self.manifest(name, "wasm", #""app.wasm""#)),
                File(path: "app.c", contents: Self.cSource),
                File(path: "build.sh", contents: Self.buildScript, executable: true),
            ]
        }
        let common = [
            File(path: "README.md", contents: readme(name: name)),
            File(
                path: ".iappignore",
                contents: "# Left out of the deployed bundle: test fixtures and output.\nmock\noutput\n"),
        ]
        return (own + common).map {
            File(
                path: $0.path, contents: $0.contents.replacingOccurrences(of: "{{name}}", with: name),
                executable: $0.executable)
        }
    }

    /// The file the app's code is in.
    var sourceFile: String {
        switch self {
        case .python: "app.py"
        case .node: "app.js"
        case .wasmC: "app.c"
        }
    }

    private var runtimeLine: String {
        switch self {
        case .python: "Python 3, run by the worker's `python3` in a bubblewrap sandbox (runtime `process`)"
        case .node: "JavaScript, run by the worker's `node` in a bubblewrap sandbox (runtime `process`)"
        case .wasmC: "C compiled to WebAssembly (wasm32-wasi) by `./build.sh`, run by WasmKit (runtime `wasm`)"
        }
    }

    /// `iapp.json`. The memory limit bounds a process's address space: V8 reserves about 700 MiB of it before
    /// running a line, so a node app needs 1024. The process limit counts threads, and node runs about ten.
    private static func manifest(
        _ name: String, _ runtime: String, _ entrypoint: String, memoryMiB: Int = 256, processes: Int = 16
    ) -> String {
        let limits =
            runtime == "wasm"
            ? #"{"memoryMiB": 64, "timeSeconds": 30, "outputMiB": 1}"#
            : #"{"memoryMiB": \#(memoryMiB), "timeSeconds": 30, "processes": \#(processes), "outputMiB": 1}"#
        return """
            {
              "name": "\(name)",
              "version": "0.1.0",
              "runtime": "\(runtime)",
              "entrypoint": \(entrypoint),
              "description": "Greets a field of the protected data it is given.",
              "limits": \(limits)
            }

            """
    }

    private func readme(name: String) -> String {
        let build =
            self == .wasmC
            ? "\n./build.sh                      # app.c -> app.wasm (installs clang and wasi-libc when missing)" : ""
        return """
            # {{name}}

            A Clave iApp: \(runtimeLine). It reads one field of the protected data it is given (the task's first
            argument names it; `name` by default) and writes `Hello, <value>!` to `result.txt`, with the
            `computed.json` that names it. Made by `clave app init {{name}} --template \(rawValue)`.

            | file | |
            |---|---|
            | `\(sourceFile)` | the app: reads `$IEXEC_IN/$IEXEC_DATASET_FILENAME`, writes `$IEXEC_OUT` |
            | `iapp.json` | its manifest: name, version, runtime, entrypoint, limits (docs/iapp-bundle.md) |
            | `mock/protectedData/default` | protected data for local tests, made from `\(Self.mockRecord)` |
            | `.iappignore` | what `clave app deploy` leaves out of the bundle: `mock`, `output` |

            ## Try it here, then deploy it

            ```sh\(build)
            clave app test                  # runs it as a worker would, on mock/protectedData/default; output in ./output
            clave app test --args email     # greets another field
            clave app mock-data '{"name": "Grace"}' --name grace && clave app test --protected-data grace
            clave app deploy .              # stores the bundle, registers the app and its measurement, offers it
            clave data grant <your protected data> --app <the app's address> --user <you>
            clave app run <the app's address> --dataset <your protected data>
            ```

            The app sees iExec's contract: its input in `$IEXEC_IN` (read-only), its output folder `$IEXEC_OUT`,
            the protected data's file name in `$IEXEC_DATASET_FILENAME` (a zip with one entry per field, each
            holding the field's Borsh value), input files named by `$IEXEC_INPUT_FILE_NAME_1`..., requester
            secrets in `$IEXEC_REQUESTER_SECRET_1`... To fail, it writes `{"error-message": "..."}` to
            `computed.json` and exits non-zero: the requester is told that message.

            """
    }

    private static let pythonSource = #"""
        """{{name}}: greets one field of the protected data.

        The protected data is $IEXEC_IN/$IEXEC_DATASET_FILENAME, iExec's layout: a zip with one entry per field, each
        holding the field's Borsh value (a string is its UTF-8 length as 4 little-endian bytes, then the bytes). The
        task's first argument names the field (default: name). Writes "Hello, <value>!" to $IEXEC_OUT/result.txt and
        the computed.json that names it; on failure, computed.json's error-message tells the requester why.
        """
        import json
        import os
        import struct
        import sys
        import zipfile

        out = os.environ["IEXEC_OUT"]


        def finish(computed, code=0):
            with open(os.path.join(out, "computed.json"), "w") as file:
                json.dump(computed, file)
            sys.exit(code)


        dataset = os.environ.get("IEXEC_DATASET_FILENAME")
        if not dataset:
            finish({"error-message": "this app needs protected data: run it with --dataset (or --protected-data)"}, 1)
        field = sys.argv[1] if len(sys.argv) > 1 else "name"
        with zipfile.ZipFile(os.path.join(os.environ["IEXEC_IN"], dataset)) as protected:
            if field not in protected.namelist():
                finish({"error-message": f"the protected data has no field {field!r}"}, 1)
            value = protected.read(field)
        if len(value) < 4 or struct.unpack_from("<I", value)[0] != len(value) - 4:
            finish({"error-message": f"the protected field {field!r} is not a string"}, 1)
        text = value[4:].decode()
        with open(os.path.join(out, "result.txt"), "w") as file:
            file.write(f"Hello, {text}!\n")
        print(f"{{name}}: greeted the protected {field}")
        finish({"deterministic-output-path": "/iexec_out/result.txt"})

        """#

    private static let nodeSource = #"""
        // {{name}}: greets one field of the protected data.
        //
        // The protected data is $IEXEC_IN/$IEXEC_DATASET_FILENAME, iExec's layout: a zip with one entry per field, each
        // holding the field's Borsh value (a string is its UTF-8 length as 4 little-endian bytes, then the bytes). The
        // task's first argument names the field (default: name). Writes "Hello, <value>!" to $IEXEC_OUT/result.txt and
        // the computed.json that names it; on failure, computed.json's error-message tells the requester why.
        "use strict";
        const fs = require("fs");
        const path = require("path");
        const zlib = require("zlib");

        const out = process.env.IEXEC_OUT;

        function finish(computed, code = 0) {
          fs.writeFileSync(path.join(out, "computed.json"), JSON.stringify(computed));
          process.exit(code);
        }

        // The entries of a zip, name -> bytes, read from its central directory (stored or deflated entries).
        function readZip(bytes) {
          let end = bytes.length - 22;
          while (end >= 0 && bytes.readUInt32LE(end) !== 0x06054b50) end--;
          if (end < 0) throw new Error("the protected data is not a zip");
          const entries = new Map();
          let at = bytes.readUInt32LE(end + 16);
          for (let count = bytes.readUInt16LE(end + 10); count > 0; count--) {
            const method = bytes.readUInt16LE(at + 10);
            const size = bytes.readUInt32LE(at + 20);
            const nameLength = bytes.readUInt16LE(at + 28);
            const local = bytes.readUInt32LE(at + 42);
            const name = bytes.toString("utf8", at + 46, at + 46 + nameLength);
            const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
            const data = bytes.subarray(start, start + size);
            entries.set(name, method === 8 ? zlib.inflateRawSync(data) : data);
            at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
          }
          return entries;
        }

        const dataset = process.env.IEXEC_DATASET_FILENAME;
        if (!dataset) finish({ "error-message": "this app needs protected data: run it with --dataset (or --protected-data)" }, 1);
        const field = process.argv[2] || "name";
        const protectedData = readZip(fs.readFileSync(path.join(process.env.IEXEC_IN, dataset)));
        const value = protectedData.get(field);
        if (!value) finish({ "error-message": `the protected data has no field '${field}'` }, 1);
        if (value.length < 4 || value.readUInt32LE(0) !== value.length - 4) {
          finish({ "error-message": `the protected field '${field}' is not a string` }, 1);
        }
        fs.writeFileSync(path.join(out, "result.txt"), `Hello, ${value.toString("utf8", 4)}!\n`);
        console.log(`{{name}}: greeted the protected ${field}`);
        finish({ "deterministic-output-path": "/iexec_out/result.txt" });

        """#

    private static let cSource = #"""
        // {{name}}: greets one field of the protected data.
        //
        // The protected data is $IEXEC_IN/$IEXEC_DATASET_FILENAME, iExec's layout: a zip with one stored entry per field,
        // each holding the field's Borsh value (a string is its UTF-8 length as 4 little-endian bytes, then the bytes).
        // The task's first argument names the field (default: name). Writes "Hello, <value>!" to $IEXEC_OUT/result.txt
        // and the computed.json that names it; on failure, computed.json's error-message tells the requester why.
        // Built for wasm32-wasi by build.sh.
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        static const char *out;

        static int finish(const char *computed, int code) {
            char path[512];
            snprintf(path, sizeof path, "%s/computed.json", out);
            FILE *file = fopen(path, "w");
            if (!file) return 1;
            fputs(computed, file);
            fclose(file);
            return code;
        }

        static int fail(const char *message) {
            char computed[512];
            snprintf(computed, sizeof computed, "{\"error-message\": \"%s\"}\n", message);
            fprintf(stderr, "{{name}}: %s\n", message);
            return finish(computed, 1);
        }

        static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
        static uint32_t le32(const unsigned char *p) { return le16(p) | (le16(p + 2) << 16); }

        int main(int argc, char **argv) {
            const char *in = getenv("IEXEC_IN");
            const char *dataset = getenv("IEXEC_DATASET_FILENAME");
            const char *field = argc > 1 ? argv[1] : "name";
            out = getenv("IEXEC_OUT");
            if (!in || !out) return 1;
            if (!dataset) return fail("this app needs protected data: run it with --dataset (or --protected-data)");

            char path[512];
            snprintf(path, sizeof path, "%s/%s", in, dataset);
            FILE *file = fopen(path, "rb");
            if (!file) return fail("the protected data cannot be opened");
            static unsigned char zip[1 << 20];
            size_t size = fread(zip, 1, sizeof zip, file);
            fclose(file);

            // Walk the local file headers: signature, method at 8, size at 18, name length at 26, extra length at 28.
            size_t offset = 0;
            while (offset + 30 <= size && le32(zip + offset) == 0x04034b50) {
                uint32_t method = le16(zip + offset + 8);
                uint32_t stored = le32(zip + offset + 18);
                uint32_t nameLength = le16(zip + offset + 26);
                size_t data = offset + 30 + nameLength + le16(zip + offset + 28);
                if (data + stored > size) break;
                if (nameLength == strlen(field) && memcmp(zip + offset + 30, field, nameLength) == 0) {
                    if (method != 0 || stored < 4 || le32(zip + data) != stored - 4) {
                        return fail("the protected field is not a string");
                    }
                    snprintf(path, sizeof path, "%s/result.txt", out);
                    FILE *result = fopen(path, "w");
                    if (!result) return fail("result.txt cannot be written");
                    fprintf(result, "Hello, %.*s!\n", (int)(stored - 4), (const char *)(zip + data + 4));
                    fclose(result);
                    printf("{{name}}: greeted the protected %s\n", field);
                    return finish("{\"deterministic-output-path\": \"/iexec_out/result.txt\"}\n", 0);
                }
                offset = data + stored;
            }
            return fail("the protected data has no such field");
        }

        """#

    private static let buildScript = #"""
        #!/usr/bin/env bash
        # Builds app.wasm from app.c with Debian's clang 14, lld and wasi-libc, installed when missing (as root, or
        # with sudo). `clave app test` and `clave app deploy` run it first, so app.wasm is always the current app.c.
        set -euo pipefail
        cd "$(dirname "$0")"
        packages=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)
        missing=()
        for package in "${packages[@]}"; do
            dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
        done
        if ((${#missing[@]})); then
            echo "build.sh: installing ${missing[*]}" >&2
            sudo=""
            [[ $(id -u) == 0 ]] || sudo=sudo
            $sudo apt-get install -y -q "${missing[@]}" >&2
        fi
        if [[ ! app.wasm -nt app.c ]]; then
            clang-14 --target=wasm32-wasi -O2 -Wall -Werror -Wl,--strip-all -o app.wasm app.c
            echo "build.sh: wrote app.wasm ($(stat -c %s app.wasm) bytes)" >&2
        fi

        """#
}
