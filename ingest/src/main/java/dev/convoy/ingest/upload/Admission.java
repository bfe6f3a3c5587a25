package dev.convoy.ingest.upload;

import java.util.Optional;

/** Whether the service takes new uploads now; bytes for started uploads are always taken. */
public interface Admission {

    /**
     * Why a new upload of {@code bytes} bytes (0 when its length is not known yet) is refused at
     * the moment, or empty when it is welcome.
     */
    Optional<String> refusal(long bytes);

    /** Whether the spool's disk is below the hard floor, where even started uploads get no more bytes. */
    boolean belowFloor();

    /** Whether started uploads may still write: false only once a stopping node's grace has run out. */
    boolean acceptsWrites();

    /** Seconds a refused client should wait before trying again. */
    int retryAfterSeconds();
}
