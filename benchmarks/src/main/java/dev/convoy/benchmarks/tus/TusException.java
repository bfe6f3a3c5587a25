package dev.convoy.benchmarks.tus;

import io.vertx.core.http.HttpMethod;

/** The server answered a tus request, but not with success: its status, and what it said. */
public final class TusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final HttpMethod method;
    private final int status;

    public TusException(HttpMethod method, String url, int status, String detail) {
        super(method + " " + url + " answered " + status + (detail.isEmpty() ? "" : ": " + detail));
        this.method = method;
        this.status = status;
    }

    /** The request's method. */
    public HttpMethod method() {
        return method;
    }

    /** The status the server answered with. */
    public int status() {
        return status;
    }
}
