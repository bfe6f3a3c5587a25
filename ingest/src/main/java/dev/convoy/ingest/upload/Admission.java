package dev.convoy.ingest.upload;

import java.util.Optional;

/** Whether the service takes new uploads now; bytes for started uploads are always taken. */
public interface Admission {

    /** Why new uploads are refused at the moment, or empty when they are welcome. */
    Optional<String> refusal();

    /** Seconds a refused client should wait before trying again. */
    int retryAfterSeconds();
}
