package dev.convoy.ingest.upload;

/** A request the upload endpoint refuses; carries the {@link TusError} to answer with. */
public final class TusException extends RuntimeException {

    private final TusError error;

    TusException(TusError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public TusError error() {
        return error;
    }
}
