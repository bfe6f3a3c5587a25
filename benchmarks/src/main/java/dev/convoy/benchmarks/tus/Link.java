package dev.convoy.benchmarks.tus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;

/**
 * The way between a {@link TusClient} and the server: when a request may go, and how its body
 * goes onto the wire. {@link #direct()} sends at once and whole; the fleet simulator's links add
 * latency, throttle the body, stall it and cut it off, as a camera's 4G does.
 */
public interface Link {

    /** Completes when the next request may be sent. */
    Future<Void> beforeRequest();

    /** Writes {@code body} and ends {@code request}; fails if the link loses the request on the way. */
    Future<Void> send(HttpClientRequest request, Buffer body);

    /** No delay, the body written whole: a loopback or a good LAN. */
    static Link direct() {
        return DirectLink.INSTANCE;
    }
}
