package dev.convoy.ingest.tus;

import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * The checksum and checksum-trailer extensions: what a request's chunk is verified against,
 * an {@code Upload-Checksum} header known before the body, or a trailer known only after it.
 */
final class Checksums {

    private final Set<String> algorithms;

    Checksums(Set<String> algorithms) {
        this.algorithms = algorithms;
    }

    /** The check for a request's chunk, or null when it asks for none. */
    UploadStore.ChunkCheck of(HttpServerRequest req) {
        UploadStore.ChunkChecksum header = TusHeaders.checksum(req.getHeader("Upload-Checksum"), algorithms);
        if (!TusHeaders.announcesChecksumTrailer(req.headers().getAll("Trailer"))) {
            return header;
        }
        if (header != null) {
            throw TusError.INVALID_CHECKSUM.exception("Send Upload-Checksum either as a header or as a trailer, not both.");
        }
        if (!"chunked".equalsIgnoreCase(req.getHeader("Transfer-Encoding")) || !RequestTrailers.captured(req)) {
            throw TusError.INVALID_CHECKSUM.exception("An Upload-Checksum trailer needs an HTTP/1.1 body sent with "
                    + "'Transfer-Encoding: chunked'; send the checksum as a header instead.");
        }
        return new TrailerCheck(req, algorithms);
    }

    /** A checksum that arrives as a trailer: digested with every supported algorithm, resolved at the body's end. */
    private record TrailerCheck(HttpServerRequest req, Set<String> algorithms) implements UploadStore.ChunkCheck {
        @Override
        public UploadStore.ChunkChecksum resolve() {
            String trailer = RequestTrailers.get(req, "Upload-Checksum");
            if (trailer == null) {
                throw TusError.CHECKSUM_TRAILER_MISSING.exception();
            }
            return TusHeaders.checksum(trailer, algorithms);
        }
    }
}
