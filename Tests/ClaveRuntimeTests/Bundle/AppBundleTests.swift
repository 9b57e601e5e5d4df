import ClaveCrypto
import ClaveRuntime
import ClaveTestSupport
import Foundation
import Testing

/// iapp.json, the canonical archive and the measurement: the same files always measure the same, any change to what
/// runs changes it, and an archive that is not canonical, or escapes its folder, is refused.
@Suite struct AppBundleTests {
    static let manifest =
        #"{"name": "hello", "version": "1.0.0", "runtime": "process", "entrypoint": "python3 app.py"}"#

    /// The bundle of a folder with `files`.
    private func bundle(_ files: [String: (String, Bool)]) throws -> AppBundle {
        let folder = try folder(files)
        return try withExtendedLifetime(folder) { try AppBundle(directory: folder.url) }
    }

    /// A bundle folder with `files` (path: (contents, executable)).
    private func folder(_ files: [String: (String, Bool)]) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "clave-bundle")
        for (path, (contents, executable)) in files {
            let url = folder.url.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
            try FileManager.default.setAttributes(
                [.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
        }
        return folder
    }

    @Test func aManifestReadsWithItsDefaultsAndLimits() throws {
        let plain = try AppManifest(json: Array(Self.manifest.utf8))
        #expect(plain.name == "hello" && plain.runtime == .process && plain.entrypoint == ["python3", "app.py"])
        #expect(plain.limits == .default)
        let wasm = try AppManifest(
            json: Array(
                #"{"name":"w","version":"2","runtime":"wasm","entrypoint":["build/app.wasm"],"limits":{"memoryMiB":64,"timeSeconds":5,"fuel":1000}}"#
                    .utf8))
        #expect(wasm.entrypoint == ["build/app.wasm"])
        #expect(wasm.limits.memory == 64 << 20 && wasm.limits.wallTime == .seconds(5) && wasm.limits.fuel == 1000)
        #expect(wasm.limits.processes == ResourceLimits.default.processes)
        // What `clave app init` writes reads back the same.
        #expect(try AppManifest(json: wasm.json) == wasm)
    }

    @Test(arguments: [
        ("{", "iapp.json is not valid JSON"),
        (#"["hello"]"#, "iapp.json must be a JSON object."),
        (#"{"name":"h","version":"1","runtime":"process","entrypoint":"a","image":"x"}"#, "unknown field 'image'"),
        (#"{"name":"h w","version":"1","runtime":"process","entrypoint":"a"}"#, "needs a 'name' of 1 to 64"),
        (#"{"name":"h","runtime":"process","entrypoint":"a"}"#, "needs a 'version'"),
        (#"{"name":"h","version":"1","runtime":"docker","entrypoint":"a"}"#, "'runtime' of \"wasm\" or \"process\""),
        (#"{"name":"h","version":"1","runtime":"process"}"#, "needs an 'entrypoint'"),
        (#"{"name":"h","version":"1","runtime":"process","entrypoint":" "}"#, "has an empty 'entrypoint'"),
        (#"{"name":"h","version":"1","runtime":"process","entrypoint":[1]}"#, "element that is not a string"),
        (#"{"name":"h","version":"1","runtime":"wasm","entrypoint":"app.js"}"#, "one path to a .wasm module"),
        (#"{"name":"h","version":"1","runtime":"wasm","entrypoint":"../app.wasm"}"#, "leaves the bundle"),
        (#"{"name":"h","version":"1","runtime":"process","entrypoint":"/usr/bin/python3 x"}"#, "leaves the bundle"),
        (
            #"{"name":"h","version":"1","runtime":"process","entrypoint":"a","limits":3}"#,
            "'limits' that is not an object"
        ),
        (#"{"name":"h","version":"1","runtime":"process","entrypoint":"a","limits":{"cpu":1}}"#, "unknown limit 'cpu'"),
        (
            #"{"name":"h","version":"1","runtime":"process","entrypoint":"a","limits":{"memoryMiB":0}}"#,
            "limit 'memoryMiB' that is not a whole number from 1 to 16384"
        ),
    ])
    func aBadManifestIsRefusedSayingWhatToFix(json: String, message: String) {
        #expect {
            try AppManifest(json: Array(json.utf8))
        } throws: { error in
            let error = error as? RuntimeError
            return error?.code == .invalidBundle && error?.message.contains(message) == true
        }
    }

    @Test func theSameFilesMeasureTheSameAndAnyChangeToWhatRunsChangesIt() throws {
        let files: [String: (String, Bool)] = [
            "iapp.json": (Self.manifest, false), "app.py": ("print('hi')\n", false), "lib/util.py": ("x = 1\n", false),
            "bin/tool": ("#!/bin/sh\n", true), ".git/HEAD": ("ref", false), ".env": ("SECRET=1", false),
        ]
        let one = try bundle(files)
        let two = try bundle(files)
        #expect(one.measurement == two.measurement && one.archive == two.archive)
        #expect(one.entries.map(\.path) == ["app.py", "bin/tool", "iapp.json", "lib/util.py"])
        #expect(one.entries.first { $0.path == "bin/tool" }?.executable == true)

        var changedByte = files
        changedByte["app.py"] = ("print('hi!')\n", false)
        var changedMode = files
        changedMode["app.py"] = ("print('hi')\n", true)
        var added = files
        added["data.txt"] = ("", false)
        for variant in [changedByte, changedMode, added] {
            #expect(try bundle(variant).measurement != one.measurement)
        }
        // Dot files never count.
        var dotted = files
        dotted[".cache/x"] = ("y", false)
        #expect(try bundle(dotted).measurement == one.measurement)
    }

    /// `.iappignore` leaves a project's fixtures and test output out of what is measured and shipped; a line that
    /// leaves the folder is refused.
    @Test func theIgnoreFileLeavesOutWhatItListsAndNothingElse() throws {
        let files: [String: (String, Bool)] = [
            "iapp.json": (Self.manifest, false), "app.py": ("print('hi')\n", false),
            "mock/protectedData/default": ("zip", false), "output/result.txt": ("Hello", false),
            "outputs.txt": ("kept: only exact paths are left out", false),
            ".iappignore": ("# test fixtures and output\nmock/\n\noutput\n", false),
        ]
        let ignoring = try bundle(files)
        #expect(ignoring.entries.map(\.path) == ["app.py", "iapp.json", "outputs.txt"])
        var withoutFixtures = files
        for path in ["mock/protectedData/default", "output/result.txt", ".iappignore"] {
            withoutFixtures.removeValue(forKey: path)
        }
        #expect(try bundle(withoutFixtures).measurement == ignoring.measurement)

        for line in ["../secret", "/etc", "mock/../app.py"] {
            var escaping = files
            escaping[".iappignore"] = ("mock\n\(line)\n", false)
            #expect { try bundle(escaping) } throws: { error in
                (error as? RuntimeError)?.message.contains(".iappignore line 2, '\(line)', is not a path inside")
                    == true
            }
        }
    }

    /// GNU tar, an independent reader, sees the same files, modes and contents.
    @Test func theArchiveIsAPlainTarThatGNUTarReads() throws {
        let bundle = try bundle([
            "iapp.json": (Self.manifest, false), "app.py": ("print(1)\n", false), "run.sh": ("#!/bin/sh\n", true),
            String(repeating: "d", count: 80) + "/" + String(repeating: "f", count: 60): ("long path", false),
        ])
        let scratch = try TemporaryDirectory(prefix: "clave-tar")
        let archive = scratch.url.appendingPathComponent("bundle.tar")
        try Data(bundle.archive).write(to: archive)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["-xf", archive.path, "-C", scratch.url.path]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        for entry in bundle.entries {
            let path = scratch.url.appendingPathComponent(entry.path).path
            #expect(FileManager.default.contents(atPath: path).map(Array.init) == entry.contents, "\(entry.path)")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == (entry.executable ? 0o755 : 0o644), "\(entry.path)")
        }
    }

    @Test func anArchiveReadsBackOnlyUnderItsMeasurementAndUnpacks() throws {
        let bundle = try bundle(["iapp.json": (Self.manifest, false), "bin/run": ("#!/bin/sh\n", true)])
        let again = try AppBundle(archive: bundle.archive, expected: bundle.measurement)
        #expect(again.entries == bundle.entries && again.manifest == bundle.manifest)

        var tampered = bundle.archive
        tampered[512] ^= 1
        #expect {
            try AppBundle(archive: tampered, expected: bundle.measurement)
        } throws: { ($0 as? RuntimeError)?.message.contains("not to the app's registered measurement") == true }

        let scratch = try TemporaryDirectory(prefix: "clave-unpack")
        let target = scratch.url.appendingPathComponent("app")
        try again.unpack(into: target)
        let run = target.appendingPathComponent("bin/run").path
        #expect(FileManager.default.contents(atPath: run) == Data("#!/bin/sh\n".utf8))
        #expect(try FileManager.default.attributesOfItem(atPath: run)[.posixPermissions] as? Int == 0o755)
        // Never over something that exists.
        #expect(throws: RuntimeError.self) { try again.unpack(into: target) }
    }

    /// Archives that are not what `archive(_:)` writes: a path that climbs out, trailing bytes, a changed header,
    /// an unsorted order, a link.
    @Test func anArchiveThatIsNotCanonicalIsRefused() throws {
        let entries = [
            BundleArchive.Entry(path: "xx/evil", contents: Array("x".utf8), executable: false),
            BundleArchive.Entry(path: "zz", contents: [], executable: false),
        ]
        let archive = try BundleArchive.archive(entries)
        #expect(try BundleArchive.entries(of: archive) == entries)

        func refused(_ bytes: [UInt8], _ message: String) {
            #expect { try BundleArchive.entries(of: bytes) } throws: { error in
                (error as? RuntimeError)?.message.contains(message) == true
            }
        }
        // "xx/evil" made "../evil", checksum fixed so that only the path is wrong.
        var climbing = archive
        climbing[0] = UInt8(ascii: ".")
        climbing[1] = UInt8(ascii: ".")
        Self.fixChecksum(&climbing, header: 0)
        refused(climbing, "holds a path that is not a relative path inside the bundle")
        refused(archive + [0], "has bytes after its first zero block")
        var mode = archive
        mode[104] = UInt8(ascii: "7")  // 0000777
        Self.fixChecksum(&mode, header: 0)
        refused(mode, "without a valid size and mode")
        var link = archive
        link[156] = UInt8(ascii: "2")
        Self.fixChecksum(&link, header: 0)
        refused(link, "not a regular file")
        var checksum = archive
        checksum[148] = UInt8(ascii: "1")
        refused(checksum, "not in canonical form")
        // The two entries swapped.
        let second = try BundleArchive.archive([entries[1]])
        let first = try BundleArchive.archive([entries[0]])
        refused(Array(second.dropLast(1024)) + first, "is not sorted by path")
        refused(Array(archive.prefix(700)), "cut short")
        #expect(throws: RuntimeError.self) {
            try BundleArchive.archive([.init(path: "a/../b", contents: [], executable: false)])
        }
    }

    @Test func aFolderWithALinkOrWithoutItsEntrypointIsRefused() throws {
        let linked = try folder(["iapp.json": (Self.manifest, false), "app.py": ("", false)])
        try FileManager.default.createSymbolicLink(
            atPath: linked.url.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
        #expect { try AppBundle(directory: linked.url) } throws: { error in
            (error as? RuntimeError)?.message.contains("'passwd', which is not a regular file") == true
        }
        let missing = try folder([
            "iapp.json": (#"{"name":"w","version":"1","runtime":"wasm","entrypoint":"app.wasm"}"#, false)
        ])
        #expect { try AppBundle(directory: missing.url) } throws: { error in
            (error as? RuntimeError)?.message.contains("entrypoint 'app.wasm' is not a file of the bundle") == true
        }
        let bare = try folder(["app.py": ("", false)])
        #expect { try AppBundle(directory: bare.url) } throws: { error in
            (error as? RuntimeError)?.message.contains("has no iapp.json") == true
        }
    }

    /// Recomputes the ustar checksum of the header at `offset` after a test changed it.
    static func fixChecksum(_ archive: inout [UInt8], header offset: Int) {
        for index in 148..<156 { archive[offset + index] = UInt8(ascii: " ") }
        let sum = archive[offset..<(offset + 512)].reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        let field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, UInt8(ascii: " ")]
        archive.replaceSubrange((offset + 148)..<(offset + 156), with: field)
    }
}
