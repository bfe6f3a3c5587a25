package dev.convoy.ingest.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading --node-id and --peers: both forms, and a sentence for each mistake. */
class PeersTest {

    @Test
    void aFixedListNamesEachPeer() {
        Peers peers = Peers.parse("a", "a=http://127.0.0.1:9001,b=http://127.0.0.1:9002");
        assertThat(peers.clustered()).isTrue();
        assertThat(peers.urlOf("b")).isEqualTo(URI.create("http://127.0.0.1:9002"));
        assertThat(peers.urlOf("a")).as("never itself").isNull();
        assertThat(peers.urlOf("c")).as("a name no peer has").isNull();
        assertThat(peers.urlOf("evil.example.com")).as("not a node name at all").isNull();
    }

    @Test
    void aTemplateReachesEveryPodByNameAndListsThemThroughTheServiceName() throws Exception {
        Peers peers = Peers.parse("convoy-0", "http://{node}.localhost:8080");
        assertThat(peers.urlOf("convoy-2")).isEqualTo(URI.create("http://convoy-2.localhost:8080"));
        assertThat(peers.urlOf("../x")).isNull();
        Vertx vertx = Vertx.vertx();
        try {
            List<URI> all = vertx.executeBlocking(() -> null).compose(v -> peers.all(vertx)).toCompletionStage().toCompletableFuture().get();
            assertThat(all).as("localhost's addresses, on the template's port").isNotEmpty()
                    .allMatch(u -> u.getPort() == 8080 && u.getScheme().equals("http"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void noNameIsOneNode() {
        assertThat(Peers.parse("", "").clustered()).isFalse();
    }

    @Test
    void mistakesAreRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> Peers.parse("", "a=http://x:1")).hasMessageContaining("--peers needs --node-id");
        assertThatThrownBy(() -> Peers.parse("Node_1", "")).hasMessageContaining("--node-id must be a lower-case DNS label");
        assertThatThrownBy(() -> Peers.parse("a", "b")).hasMessageContaining("NAME=URL");
        assertThatThrownBy(() -> Peers.parse("a", "b=ftp://x")).hasMessageContaining("--peers b must be an http URL");
        assertThatThrownBy(() -> Peers.parse("a", "http://x.{node}:80")).hasMessageContaining("{node} must start the host");
    }
}
