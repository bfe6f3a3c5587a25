package dev.convoy.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a client and the service that does to the client's bytes what a
 * flaky mobile link does: throttles them, drops the connection mid-body, resets it, or
 * stalls. Faults trigger on client-to-server byte counts, so they land inside request bodies.
 */
final class FaultProxy implements AutoCloseable {

    /** What happens once {@code afterBytes} client bytes have passed. */
    enum Fault { NONE, CLOSE, RESET, STALL }

    private final Vertx vertx;
    private final NetServer server;
    private final NetClient client;
    private final NetClient resettingClient;
    private final int targetPort;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicInteger triggered = new AtomicInteger();
    private volatile Fault fault = Fault.NONE;
    private volatile long faultEvery = Long.MAX_VALUE;
    private volatile int maxFaults;
    private volatile long stallMs;
    private volatile int bytesPerSecond;

    private FaultProxy(Vertx vertx, int targetPort) {
        this.vertx = vertx;
        this.targetPort = targetPort;
        this.client = vertx.createNetClient();
        // SO_LINGER 0: closing sends a TCP RST instead of a FIN.
        this.resettingClient = vertx.createNetClient(new NetClientOptions().setSoLinger(0));
        this.server = vertx.createNetServer(new NetServerOptions().setSoLinger(0)).connectHandler(this::relay);
    }

    static FaultProxy start(Vertx vertx, int targetPort) throws Exception {
        FaultProxy proxy = new FaultProxy(vertx, targetPort);
        TestServer.await(proxy.server.listen(0, "127.0.0.1"));
        return proxy;
    }

    /** Applies {@code fault} each time another {@code everyBytes} client bytes have passed, at most {@code times} times. */
    FaultProxy inject(Fault fault, long everyBytes, int times) {
        this.fault = fault;
        this.faultEvery = everyBytes;
        this.maxFaults = times;
        return this;
    }

    FaultProxy stallFor(long ms) {
        this.stallMs = ms;
        return this;
    }

    /** Limits client-to-server bytes to this rate (0: unlimited). */
    FaultProxy throttle(int bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    int port() {
        return server.actualPort();
    }

    int faults() {
        return triggered.get();
    }

    private void relay(NetSocket in) {
        in.pause();
        NetClient connector = fault == Fault.RESET ? resettingClient : client;
        connector.connect(targetPort, "127.0.0.1").onFailure(err -> in.close()).onSuccess(out -> {
            Link link = new Link(in, out);
            in.handler(link::fromClient);
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

    /** One client connection and its upstream. */
    private final class Link {
        private final NetSocket in;
        private final NetSocket out;
        private Buffer pending = Buffer.buffer();
        private long timer = -1;
        private boolean dead;

        Link(NetSocket in, NetSocket out) {
            this.in = in;
            this.out = out;
        }

        void fromClient(Buffer buf) {
            if (dead) {
                return;
            }
            if (bytesPerSecond > 0) {
                pending.appendBuffer(buf);
                if (pending.length() > 16 * 1024) {
                    in.pause();
                }
                if (timer < 0) {
                    timer = vertx.setPeriodic(100, id -> drip());
                }
                return;
            }
            forward(buf);
        }

        private void drip() {
            int n = Math.min(pending.length(), Math.max(1, bytesPerSecond / 10));
            if (n > 0) {
                Buffer slice = pending.getBuffer(0, n);
                pending = pending.getBuffer(n, pending.length());
                forward(slice);
            }
            if (pending.length() < 4 * 1024 && !dead) {
                in.resume();
            }
        }

        private void forward(Buffer buf) {
            long before = forwarded.getAndAdd(buf.length());
            long after = before + buf.length();
            boolean crosses = fault != Fault.NONE && before / faultEvery != after / faultEvery && triggered.get() < maxFaults;
            if (!crosses) {
                write(buf);
                return;
            }
            triggered.incrementAndGet();
            switch (fault) {
                case CLOSE, RESET -> {
                    dead = true;
                    in.close();
                    out.close();
                }
                case STALL -> {
                    in.pause();
                    vertx.setTimer(stallMs, id -> {
                        write(buf);
                        in.resume();
                    });
                }
                default -> write(buf);
            }
        }

        private void write(Buffer buf) {
            out.write(buf);
            if (out.writeQueueFull()) {
                in.pause();
                out.drainHandler(v -> in.resume());
            }
        }
    }

    @Override
    public void close() throws Exception {
        TestServer.await(server.close());
        TestServer.await(client.close());
        TestServer.await(resettingClient.close());
    }
}
