package dev.convoy.ingest.tus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every tus request header this server reads, parsed in one place from plain strings (so the
 * rules are unit-tested as a table, below the HTTP tests). Each method refuses a bad value
 * with the {@link TusError} the spec asks for; "MUST" below quotes tus 1.0.
 */
public final class TusHeaders {

    public static final String TUS_VERSION = "1.0.0";
    public static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

    private TusHeaders() {
    }

    /** {@code Tus-Resumable}: the client MUST send it with every request but OPTIONS; a version we do not speak is 412. */
    public static void requireVersion(String tusResumable) {
        if (!TUS_VERSION.equals(tusResumable)) {
            throw TusError.UNSUPPORTED_VERSION.exception();
        }
    }

    /** {@code Upload-Offset}: MUST be a non-negative integer. */
    public static long uploadOffset(String value) {
        return nonNegative(value, TusError.INVALID_OFFSET);
    }

    /**
     * The length a creation declares: {@code Upload-Length}, a non-negative integer, or with
     * creation-defer-length {@code Upload-Defer-Length: 1} (its only allowed value) and no length.
     */
    public static long creationLength(String uploadLength, String deferLength) {
        if (uploadLength == null && deferLength != null) {
            if (!"1".equals(deferLength.trim())) {
                throw TusError.INVALID_LENGTH.exception("Upload-Defer-Length must be 1.");
            }
            return UploadState.DEFERRED;
        }
        return nonNegative(uploadLength, TusError.INVALID_LENGTH);
    }

    /** {@code Upload-Length} on a PATCH: absent (null), or a non-negative integer. */
    public static Long declaredLength(String uploadLength) {
        return uploadLength == null ? null : nonNegative(uploadLength, TusError.INVALID_LENGTH);
    }

    /** What {@code Upload-Concat} asks for: {@code partial}, or {@code final;} and the parts' URLs. */
    public record ConcatRequest(UploadState.Concat concat, List<String> partIds) {
        static final ConcatRequest NONE = new ConcatRequest(UploadState.Concat.NONE, List.of());
    }

    /** {@code Upload-Concat}: {@code partial} or {@code final;<url> <url> ...}; the last path segment of each URL is the id. */
    public static ConcatRequest concat(String value) {
        if (value == null) {
            return ConcatRequest.NONE;
        }
        String trimmed = value.trim();
        if (trimmed.equals("partial")) {
            return new ConcatRequest(UploadState.Concat.PARTIAL, List.of());
        }
        if (!trimmed.startsWith("final;")) {
            throw TusError.INVALID_CONCAT.exception();
        }
        List<String> ids = new ArrayList<>();
        for (String url : trimmed.substring("final;".length()).trim().split("\\s+")) {
            if (!url.isEmpty()) {
                ids.add(url.substring(url.lastIndexOf('/') + 1));
            }
        }
        if (ids.isEmpty() || ids.stream().anyMatch(String::isEmpty)) {
            throw TusError.INVALID_CONCAT.exception();
        }
        return new ConcatRequest(UploadState.Concat.FINAL, List.copyOf(ids));
    }

    /**
     * {@code Upload-Metadata}: comma-separated pairs of a key (no spaces or commas) and an
     * optional base64 value; a key MUST be unique. Longer than {@code maxLength} characters is
     * refused before any decoding.
     */
    public static Map<String, String> metadata(String value, int maxLength) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return pairs;
        }
        if (value.length() > maxLength) {
            throw TusError.METADATA_TOO_LARGE.exception("Upload-Metadata is " + value.length()
                    + " characters; this server accepts at most " + maxLength + ".");
        }
        for (String pair : value.split(",")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] kv = trimmed.split(" ", -1);
            if (kv.length > 2 || kv[0].isEmpty()) {
                throw TusError.INVALID_METADATA.exception("Upload-Metadata pair '" + trimmed + "' is not 'key base64value'.");
            }
            String decoded = "";
            if (kv.length == 2) {
                try {
                    decoded = new String(Base64.getDecoder().decode(kv[1]), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw TusError.INVALID_METADATA.exception("The value of Upload-Metadata key '" + kv[0] + "' is not valid base64.");
                }
            }
            pairs.put(kv[0], decoded);
        }
        return pairs;
    }

    /**
     * {@code Upload-Checksum}: {@code <algorithm> <base64 digest>} with an algorithm from
     * {@code Tus-Checksum-Algorithm}; null when absent.
     */
    public static UploadStore.ChunkChecksum checksum(String value, Set<String> algorithms) {
        if (value == null) {
            return null;
        }
        String[] parts = value.trim().split(" ");
        String algorithm = parts[0].toLowerCase(Locale.ROOT);
        if (parts.length != 2 || !algorithms.contains(algorithm)) {
            throw TusError.INVALID_CHECKSUM.exception("Upload-Checksum '" + value + "' is not '<algorithm> <base64>' with one of "
                    + String.join(",", algorithms.stream().sorted().toList()) + ".");
        }
        try {
            return new UploadStore.ChunkChecksum(algorithm, Base64.getDecoder().decode(parts[1]));
        } catch (IllegalArgumentException e) {
            throw TusError.INVALID_CHECKSUM.exception("The digest in Upload-Checksum is not valid base64.");
        }
    }

    /** Whether a {@code Trailer} header (any of its values) announces {@code Upload-Checksum}. */
    public static boolean announcesChecksumTrailer(List<String> trailerHeaders) {
        for (String announced : trailerHeaders) {
            for (String name : announced.split(",")) {
                if (name.trim().equalsIgnoreCase("Upload-Checksum")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** PATCH and creation-with-upload bodies MUST be {@code application/offset+octet-stream} (parameters allowed). */
    public static boolean isOffsetStream(String contentType) {
        return contentType != null && contentType.split(";", 2)[0].trim().equalsIgnoreCase(OFFSET_OCTET_STREAM);
    }

    /** {@code Content-Length} as a number; 0 when absent or unreadable (HTTP itself refuses a bad one first). */
    public static long contentLength(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether a request carries a body: a positive {@code Content-Length} or a chunked transfer. */
    public static boolean hasBody(String contentLength, String transferEncoding) {
        return contentLength(contentLength) > 0
                || (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked"));
    }

    private static long nonNegative(String value, TusError error) {
        if (value == null) {
            throw error.exception();
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the refusal below
        }
        throw error.exception();
    }
}
