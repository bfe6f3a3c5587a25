package dev.convoy.benchmarks.tus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;

/** {@link Link#direct()}: requests go at once, bodies whole. */
enum DirectLink implements Link {
    INSTANCE;

    @Override
    public Future<Void> beforeRequest() {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> send(HttpClientRequest request, Buffer body) {
        return request.end(body);
    }
}
