/// The MIME type iExec's dataprotector gives binary data in a schema, from its first bytes.
///
/// iExec's `extractDataSchema` asks `magic-bytes.js` (`filetypeinfo`) what the bytes are and keeps the first answer
/// among its supported MIME types, else `application/octet-stream`. `filetypeinfo` walks a tree of signatures: first
/// the signatures at a fixed offset (offsets 4, 0x1000, 0x101, 0x80, in that order; the first that matches anything
/// decides), then the signatures at offset 0. Along the walk the longest signature that matches wins, whatever its
/// type: `ftypheic` at offset 4 is HEIF (unsupported, so `application/octet-stream`) although `ftyp` alone is MP4.
///
/// This table holds every signature that can decide the answer: those of the supported types, and those longer or
/// earlier ones that can hide them. Its quirks are iExec's and kept on purpose: any data starting with `G` (0x47,
/// an MPEG transport stream sync byte) is `video/mpeg` unless it is a GIF, and any starting with `BM` is `image/bmp`.
public enum MIMESniffer {
    /// The MIME types iExec's dataprotector puts in a schema (its `SUPPORTED_MIME_TYPES`).
    public static let supportedTypes: [String] = [
        "application/octet-stream", "application/pdf", "application/xml", "application/zip", "audio/midi",
        "audio/mpeg", "audio/x-wav", "image/bmp", "image/gif", "image/jpeg", "image/png", "image/webp", "video/mp4",
        "video/mpeg", "video/x-msvideo",
    ]

    /// The type for data no signature recognizes.
    public static let fallback = "application/octet-stream"

    /// The most leading bytes any signature looks at: ``mimeType(of:)`` of a prefix this long equals that of the
    /// whole data.
    public static let prefixLength = 0x1000 + 4

    /// The schema type of binary data `bytes` (only the first ``prefixLength`` bytes matter).
    public static func mimeType(of bytes: some Collection<UInt8>) -> String {
        let head = Array(bytes.prefix(prefixLength))
        for offset in offsetOrder where offset < head.count {
            if let match = longestMatch(in: head, among: signatures.filter { $0.offset == offset }) {
                return supported(match.mime)
            }
        }
        guard let match = longestMatch(in: head, among: signatures.filter { $0.offset == 0 }) else { return fallback }
        return supported(match.mime)
    }

    private static func supported(_ mime: String?) -> String {
        guard let mime, supportedTypes.contains(mime) else { return fallback }
        return mime
    }

    private struct Signature {
        let offset: Int
        /// `nil` matches any byte.
        let pattern: [UInt8?]
        /// `nil` for signatures without a MIME type (and so never a supported one).
        let mime: String?

        init(_ mime: String?, _ pattern: [UInt8?], at offset: Int = 0) {
            self.offset = offset
            self.pattern = pattern
            self.mime = mime
        }

        init(_ mime: String?, ascii: String, at offset: Int = 0) {
            self.init(mime, Array(ascii.utf8), at: offset)
        }

        func matches(_ bytes: [UInt8]) -> Bool {
            guard bytes.count >= offset + pattern.count else { return false }
            for (index, expected) in pattern.enumerated() {
                if let expected, bytes[offset + index] != expected { return false }
            }
            return true
        }
    }

    private static func longestMatch(in bytes: [UInt8], among candidates: [Signature]) -> Signature? {
        candidates.filter { $0.matches(bytes) }.max { $0.pattern.count < $1.pattern.count }
    }

    /// The order `filetypeinfo` tries the offset signatures in.
    private static let offsetOrder = [4, 0x1000, 0x101, 0x80]

    private static let signatures: [Signature] = [
        // At offset 4: ISO base media (MP4) and what hides it.
        Signature("video/mp4", ascii: "ftyp", at: 4),
        Signature("image/heif", ascii: "ftypmif1", at: 4),
        Signature("image/heif", ascii: "ftypheic", at: 4),
        Signature("video/quicktime", ascii: "ftypqt", at: 4),
        Signature("video/quicktime", ascii: "free", at: 4),
        Signature("video/quicktime", ascii: "mdat", at: 4),
        Signature("video/quicktime", ascii: "moov", at: 4),
        Signature("video/quicktime", ascii: "wide", at: 4),
        // At other offsets, none supported: Mach-O, tar, DICOM.
        Signature(nil, [0xFE, 0xED, 0xFA, 0xCE], at: 0x1000),
        Signature(nil, [0xFE, 0xED, 0xFA, 0xCF], at: 0x1000),
        Signature(nil, Array("ustar\u{0}00".utf8), at: 0x101),
        Signature(nil, Array("ustar  \u{0}".utf8), at: 0x101),
        Signature(nil, ascii: "DICM", at: 0x80),
        // At offset 0.
        Signature("image/gif", ascii: "GIF87a"),
        Signature("image/gif", ascii: "GIF89a"),
        Signature("image/jpeg", [0xFF, 0xD8, 0xFF, 0xDB]),
        Signature("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, nil, nil, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01]),
        Signature("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE1, nil, nil, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00]),
        Signature("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        Signature("image/webp", [0x52, 0x49, 0x46, 0x46, nil, nil, nil, nil, 0x57, 0x45, 0x42, 0x50]),
        Signature("audio/x-wav", [0x52, 0x49, 0x46, 0x46, nil, nil, nil, nil, 0x57, 0x41, 0x56, 0x45]),
        Signature("video/x-msvideo", [0x52, 0x49, 0x46, 0x46, nil, nil, nil, nil, 0x41, 0x56, 0x49, 0x20]),
        Signature("image/bmp", ascii: "BM"),
        Signature("application/zip", [0x50, 0x4B, 0x03, 0x04]),
        Signature("application/zip", [0x50, 0x4B, 0x05, 0x06]),
        Signature("application/zip", [0x50, 0x4B, 0x07, 0x08]),
        Signature("application/pdf", ascii: "%PDF"),
        Signature("application/xml", ascii: "<?xml "),
        Signature("audio/midi", ascii: "MThd"),
        Signature("audio/mpeg", [0xFF, 0xFB]),
        Signature("audio/mpeg", [0xFF, 0xF3]),
        Signature("audio/mpeg", [0xFF, 0xF2]),
        Signature("audio/mpeg", ascii: "ID3"),
        Signature("video/mpeg", [0x00, 0x00, 0x01, 0xBA]),
        Signature("video/mpeg", [0x00, 0x00, 0x01, 0xB3]),
        Signature("video/mpeg", [0x47]),
    ]
}
