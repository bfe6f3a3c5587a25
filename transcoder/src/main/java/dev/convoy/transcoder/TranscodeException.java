package dev.convoy.transcoder;

/** A clip that cannot be transcoded, with a stable reason code and a sentence a person can act on. */
public final class TranscodeException extends Exception {

    /**
     * Not a failure of the clip: a pass over an upload still arriving waited too long for more
     * bytes and gave up its worker. The pass runs again when the upload goes on or completes.
     */
    public static final String STALLED = "upload_stalled";

    /** Not a failure of the clip: its upload went away (deleted, handed to another node) while a pass read it. */
    public static final String ABANDONED = "upload_abandoned";

    /**
     * Not a failure of the clip yet: the worker died while the clip still arrived. The clip is
     * transcoded whole once complete (with the usual one retry), never again while it arrives.
     */
    public static final String INTERRUPTED = "pass_interrupted";

    private final String reason;

    public TranscodeException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public TranscodeException(String reason, String message) {
        this(reason, message, null);
    }

    /** True for a pass that stopped because its upload stalled or went away, or its worker died while it arrived. */
    public boolean isYield() {
        return STALLED.equals(reason) || ABANDONED.equals(reason) || INTERRUPTED.equals(reason);
    }

    /** Stable, machine-readable reason, e.g. {@code not_a_video}. */
    public String reason() {
        return reason;
    }
}
