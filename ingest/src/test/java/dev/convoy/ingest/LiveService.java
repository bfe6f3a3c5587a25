package dev.convoy.ingest;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;

/** A running service and a camera's and owner's client side for it, closed together. */
record LiveService(TestServer server, Vertx vertx, WebClient web, Clips clips, ApiClient api) implements AutoCloseable {

    static LiveService start(Path dataDir, String... flags) throws Exception {
        TestServer server = TestServer.start(dataDir, flags);
        Vertx vertx = Vertx.vertx();
        WebClient web = WebClient.create(vertx);
        return new LiveService(server, vertx, web, new Clips(server.baseUrl(), web), new ApiClient(server.baseUrl(), web, server.sms()));
    }

    @Override
    public void close() throws Exception {
        web.close();
        TestServer.await(vertx.close());
        server.close();
    }
}
