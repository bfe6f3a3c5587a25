package dev.convoy.ingest.tus;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;

/**
 * Stops and restarts the bytes of a request body at its socket. A paused Vert.x request goes
 * on taking in 16 body pieces, and its connection more after them, before the socket stops
 * being read: up to a whole chunk in one read loop, which a thousand uploads waiting for their
 * turn at the disk would hold at once. Stopped here, the socket is read at most once more, and
 * the kernel holds the rest (the sender's TCP window closes). Other streams are paused.
 */
public final class BodyInflow {

    /** The most one read of a socket takes in, and the largest body piece (the server's chunk size). */
    public static final int MAX_READ = 16 * 1024;

    /** Shared by all connections: each channel sizes its reads through a handle of its own. */
    private static final RecvByteBufAllocator READS =
            new AdaptiveRecvByteBufAllocator(64, 1024, MAX_READ).maxMessagesPerRead(1);

    private BodyInflow() {
    }

    /**
     * Reads a new connection's socket once per wakeup, at most 16 KiB: what arrives after its
     * socket is stopped is then at most 16 KiB, not a read loop of up to 16 reads of 64 KiB.
     */
    static void onConnection(HttpConnection connection) {
        if (connection instanceof ConnectionBase conn) {
            conn.channel().config().setRecvByteBufAllocator(READS);
        }
    }

    /** Pauses a request whose body nothing reads yet, and stops its socket until {@link #start} or its answer. */
    static void hold(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        req.pause();
        if (reading(req, false)) {
            // Every answer restarts the socket, and a body nothing read is dropped within BodyDrainer's
            // limits: restarted under a paused request, the connection would queue whatever arrives.
            rc.addHeadersEndHandler(v -> {
                reading(req, true);
                if (!req.isEnded()) {
                    BodyDrainer.afterAnswer(req);
                }
            });
        }
    }

    /** Stops the body's bytes coming; the pieces already read still arrive. */
    public static void stop(ReadStream<?> body) {
        if (!reading(body, false)) {
            body.pause();
        }
    }

    /** Lets the body's bytes come again: its socket is read, and the stream hands on what arrives. */
    public static void start(ReadStream<?> body) {
        reading(body, true);
        body.resume();
    }

    /** Sets whether the request's socket is read; false if {@code body} is no request on a socket of its own. */
    private static boolean reading(ReadStream<?> body, boolean on) {
        if (body instanceof HttpServerRequest req && req.connection() instanceof ConnectionBase conn) {
            conn.channel().config().setAutoRead(on);
            return true;
        }
        return false;
    }
}
