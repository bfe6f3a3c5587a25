package dev.convoy.transcoder;

/** A clip that cannot be transcoded, with a stable reason code and a sentence a person can act on. */
public final class TranscodeException extends Exception {

    private final String reason;

    public TranscodeException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public TranscodeException(String reason, String message) {
        this(reason, message, null);
    }

    /** Stable, machine-readable reason, e.g. {@code not_a_video}. */
    public String reason() {
        return reason;
    }
}
