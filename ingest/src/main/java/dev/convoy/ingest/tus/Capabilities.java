package dev.convoy.ingest.tus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a store can do beyond the core protocol, resolved once when the endpoint is built: the
 * handlers ask this value, never the store's type, and {@code Tus-Extension} is derived from it.
 *
 * @param terminator         deletes uploads (termination, expiration), or null
 * @param concatenator       joins partial uploads (concatenation), or null
 * @param checksumAlgorithms tus names of the chunk checksums the store verifies (checksum), maybe none
 */
public record Capabilities(UploadStore.Terminator terminator, UploadStore.Concatenator concatenator,
                           Set<String> checksumAlgorithms) {

    public static Capabilities of(UploadStore store) {
        return new Capabilities(
                store instanceof UploadStore.Terminator t ? t : null,
                store instanceof UploadStore.Concatenator c ? c : null,
                Set.copyOf(store.checksumAlgorithms()));
    }

    public boolean canTerminate() {
        return terminator != null;
    }

    public boolean canConcatenate() {
        return concatenator != null;
    }

    public boolean canVerifyChecksums() {
        return !checksumAlgorithms.isEmpty();
    }

    /** The {@code Tus-Extension} header. */
    public String extensions() {
        List<String> ext = new ArrayList<>(List.of("creation", "creation-with-upload", "creation-defer-length"));
        if (canTerminate()) {
            ext.add("termination");
            ext.add("expiration");
        }
        if (canVerifyChecksums()) {
            ext.add("checksum");
            // Trailers are kept by RequestTrailers on every HTTP/1.1 connection.
            ext.add("checksum-trailer");
        }
        if (canConcatenate()) {
            ext.add("concatenation");
            ext.add("concatenation-unfinished");
        }
        return String.join(",", ext);
    }

    /** The {@code Tus-Checksum-Algorithm} header, sorted; empty when checksums are not supported. */
    public String checksumAlgorithmHeader() {
        return String.join(",", new TreeSet<>(checksumAlgorithms));
    }
}
