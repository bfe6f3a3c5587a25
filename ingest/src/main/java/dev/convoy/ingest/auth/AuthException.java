package dev.convoy.ingest.auth;

/** A request without a valid token. */
public final class AuthException extends RuntimeException {

    public AuthException(String message) {
        super(message, null, false, false);
    }
}
