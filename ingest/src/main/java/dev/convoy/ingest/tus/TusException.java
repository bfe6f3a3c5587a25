package dev.convoy.ingest.tus;

/** A request the upload endpoint refuses; carries the {@link TusError} to answer with. */
public final class TusException extends RuntimeException {

    private final TusError error;
    private final int retryAfterSeconds;

    TusException(TusError error, String message) {
        this(error, message, -1);
    }

    TusException(TusError error, String message, int retryAfterSeconds) {
        // No stack trace: a refusal is an answer, not a fault to debug.
        super(message, null, false, false);
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public TusError error() {
        return error;
    }

    /** Seconds to send as {@code Retry-After}, or -1 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
