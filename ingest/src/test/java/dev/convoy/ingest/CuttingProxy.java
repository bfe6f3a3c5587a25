package dev.convoy.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of the service that drops the connection once, after a given number
 * of client-to-server bytes: a camera losing its link in the middle of a chunk.
 */
final class CuttingProxy implements AutoCloseable {

    private final NetServer server;
    private final NetClient client;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicInteger cuts = new AtomicInteger();
    private final long cutAfter;
    private final int targetPort;

    private CuttingProxy(Vertx vertx, int targetPort, long cutAfter) {
        this.targetPort = targetPort;
        this.cutAfter = cutAfter;
        this.client = vertx.createNetClient();
        this.server = vertx.createNetServer().connectHandler(this::relay);
    }

    static CuttingProxy start(Vertx vertx, int targetPort, long cutAfterBytes) throws Exception {
        CuttingProxy proxy = new CuttingProxy(vertx, targetPort, cutAfterBytes);
        TestServer.await(proxy.server.listen(0, "127.0.0.1"));
        return proxy;
    }

    int port() {
        return server.actualPort();
    }

    int cuts() {
        return cuts.get();
    }

    private void relay(NetSocket in) {
        in.pause();
        client.connect(targetPort, "127.0.0.1").onFailure(err -> in.close()).onSuccess(out -> {
            in.handler(buf -> {
                long total = forwarded.addAndGet(buf.length());
                if (total > cutAfter && cuts.compareAndSet(0, 1)) {
                    in.close();
                    out.close();
                    return;
                }
                out.write(buf);
                if (out.writeQueueFull()) {
                    in.pause();
                    out.drainHandler(v -> in.resume());
                }
            });
            out.handler(buf -> {
                in.write(buf);
                if (in.writeQueueFull()) {
                    out.pause();
                    in.drainHandler(v -> out.resume());
                }
            });
            in.closeHandler(v -> out.close());
            out.closeHandler(v -> in.close());
            in.resume();
        });
    }

    @Override
    public void close() throws Exception {
        TestServer.await(server.close());
        TestServer.await(client.close());
    }
}
