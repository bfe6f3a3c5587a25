package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.storage.EmbeddedS3;
import dev.convoy.ingest.storage.ObjectStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in processes of their own, one shared S3 store: any node takes any request for
 * an upload, a drained node's uploads are adopted elsewhere, a killed node's uploads wait for
 * it (503, never 404), and the clip API answers the same from every node.
 */
class ClusterTest {

    private static final String SECRET = "cluster-test-secret-0123456789abcdef0123456789";
    private static final List<String> NAMES = List.of("a", "b", "c");
    /** Every node is told this number is an operator's. */
    private static final String OPERATOR = "+15005550177";

    @TempDir
    static Path dir;

    static EmbeddedS3 s3;
    static Vertx vertx;
    static WebClient web;
    static List<ChildServer> nodes = new ArrayList<>();
    static String[] flags;
    static String device;
    static String owner;

    @BeforeAll
    static void startCluster() throws Exception {
        s3 = EmbeddedS3.start(dir.resolve("objects"));
        vertx = Vertx.vertx();
        web = WebClient.create(vertx);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                ports.add(socket.getLocalPort());
            }
        }
        String peers = IntStream.range(0, NAMES.size())
                .mapToObj(i -> NAMES.get(i) + "=http://127.0.0.1:" + ports.get(i)).collect(Collectors.joining(","));
        for (int i = 0; i < NAMES.size(); i++) {
            Path data = Files.createDirectories(dir.resolve("node-" + NAMES.get(i)));
            ChildServer node = new ChildServer(data, ports.get(i))
                    .env("AWS_ACCESS_KEY_ID", s3.accessKey()).env("AWS_SECRET_ACCESS_KEY", s3.secretKey());
            nodes.add(node);
        }
        flags = new String[] {"--s3-endpoint", s3.endpoint().toString(), "--s3-bucket", "cluster", "--jwt-secret", SECRET,
                "--peers", peers, "--drain-grace", "3", "--transcode-workers", "1", "--transcode-threads", "1",
                "--operator-phones", OPERATOR};
        for (int i = 0; i < NAMES.size(); i++) {
            start(i);
        }
        DeviceTokens tokens = new DeviceTokens(vertx, SECRET);
        device = tokens.issueDevice("fleet", "cam-1");
        owner = tokens.issueOwner("fleet");
    }

    private static void start(int i) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(flags));
        args.addAll(List.of("--node-id", NAMES.get(i)));
        nodes.get(i).start(args.toArray(String[]::new));
    }

    @AfterEach
    void everyNodeRunsAgain() throws Exception {
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.get(i).running()) {
                start(i);
            }
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (ChildServer node : nodes) {
            node.stop();
        }
        web.close();
        TestServer.await(vertx.close());
        s3.close();
    }

    @Test
    void anUploadCreatedOnOneNodeContinuesOnTheOthersByteIdentical() throws Exception {
        byte[] body = bytes(300_000, 1);
        String path = create(0, body.length);
        assertThat(path).as("the URL names the node that holds the upload").matches("/files/a/[0-9a-f]{32}");

        HttpResponse<Buffer> first = patch(1, path, 0, Arrays.copyOfRange(body, 0, 100_000));
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(204);
        assertThat(first.getHeader("Upload-Offset")).isEqualTo("100000");
        HttpResponse<Buffer> head = send(tus(2, HttpMethod.HEAD, path));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.getHeader("Upload-Offset")).isEqualTo("100000");

        String id = idOf(path);
        for (int i = 0; i < NAMES.size(); i++) {
            JsonObject clip = clip(i, id);
            assertThat(clip.getString("status")).as("status from node %s", NAMES.get(i)).isEqualTo("uploading");
            assertThat(clip.getLong("received")).isEqualTo(100_000L);
            assertThat(listedIds(i)).as("listing from node %s", NAMES.get(i)).contains(id);
        }

        HttpResponse<Buffer> rest = patch(2, path, 100_000, Arrays.copyOfRange(body, 100_000, body.length));
        assertThat(rest.statusCode()).as(rest.bodyAsString()).isEqualTo(204);
        assertThat(committedSha(1, id)).as("byte-identical").isEqualTo(Clips.sha256(body));
        assertThat(metrics(1)).contains("convoy_forwarded_requests_total{outcome=\"relayed\"}");
    }

    @Test
    void aDrainedNodesUploadIsAdoptedByExactlyOneOtherAndFinishesByteIdentical() throws Exception {
        byte[] body = bytes(400_000, 2);
        String path = startedOnA(body, 150_000);
        String id = idOf(path);

        drainA();
        assertThat(log(0)).contains("event=upload_parked upload=" + id + " offset=150000");
        JsonObject parked = clip(1, id);
        assertThat(parked.getString("status")).as("a parked upload is still listed as uploading").isEqualTo("uploading");
        assertThat(parked.getLong("received")).isEqualTo(150_000L);

        // Many requests at once, on both remaining nodes: exactly one node adopts, every answer agrees.
        List<Future<HttpResponse<Buffer>>> heads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            heads.add(tus(1 + i % 2, HttpMethod.HEAD, path).send());
        }
        for (Future<HttpResponse<Buffer>> h : heads) {
            HttpResponse<Buffer> res = TestServer.await(h);
            assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
            assertThat(res.getHeader("Upload-Offset")).isEqualTo("150000");
        }
        long adopters = IntStream.of(1, 2).filter(i -> log(i).contains("event=upload_adopted upload=" + id)).count();
        assertThat(adopters).as("exactly one node adopts").isEqualTo(1);

        for (int i = 1; i <= 2; i++) {
            HttpResponse<Buffer> res = patch(i, path, 150_000 + (i - 1) * 100_000, Arrays.copyOfRange(body, 150_000 + (i - 1) * 100_000,
                    i == 1 ? 250_000 : body.length));
            assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(204);
        }
        assertThat(committedSha(2, id)).as("byte-identical").isEqualTo(Clips.sha256(body));
    }

    @Test
    void aDrainedNodesTranscodeBacklogIsHandedOffAndEachClipIsCommittedOnce() throws Exception {
        // Node a takes uploads but transcodes none: its finished clips wait in its backlog.
        drainA();
        List<String> args = new ArrayList<>(Arrays.asList(flags));
        args.addAll(List.of("--node-id", "a", "--transcode-workers", "0"));
        nodes.get(0).start(args.toArray(String[]::new));
        byte[] body = bytes(120_000, 5);
        String path = create(0, body.length);
        String id = idOf(path);
        assertThat(patch(0, path, 0, body).statusCode()).isEqualTo(204);
        assertThat(clip(1, id).getString("status")).as("seen from another node while it waits").isEqualTo("processing");
        // Claims of earlier adoptions stay a while: more than a page of them sorts before this clip's record.
        try (ObjectStore store = new ObjectStore(ObjectStore.Endpoint.embedded(s3, "cluster", 5 << 20, 4))) {
            Context ctx = vertx.getOrCreateContext();
            for (int batch = 0; batch < 11; batch++) {
                List<Future<Void>> puts = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    String claim = new JsonObject().put("node", "zz").put("at", Instant.now().toString()).put("done", true).encode();
                    puts.add(store.putBytes(ctx, "uploads/parked/a-earlier/" + String.format("%032x", batch * 100 + i) + ".claim",
                            claim.getBytes(StandardCharsets.UTF_8), "application/json"));
                }
                TestServer.await(Future.all(puts));
            }
        }

        drainA();
        assertThat(log(0)).contains("event=clip_withdrawn upload=" + id).contains("event=upload_parked upload=" + id);
        assertThat(committedSha(2, id)).as("committed by a node that adopted it, byte-identical").isEqualTo(Clips.sha256(body));
        long commits = IntStream.range(0, NAMES.size())
                .mapToLong(i -> log(i).split("event=clip_committed upload=" + id, -1).length - 1).sum();
        assertThat(commits).as("committed exactly once").isEqualTo(1);
    }

    @Test
    void aKilledNodesUploadsAnswer503UntilItIsBackAndThenFinish() throws Exception {
        byte[] body = bytes(200_000, 3);
        String path = startedOnA(body, 50_000);
        String id = idOf(path);

        nodes.get(0).kill();
        HttpResponse<Buffer> head = send(tus(1, HttpMethod.HEAD, path));
        assertThat(head.statusCode()).as("never a 404 that would start the camera over").isEqualTo(503);
        assertThat(head.getHeader("Retry-After")).isEqualTo("5");
        HttpResponse<Buffer> write = patch(2, path, 50_000, Arrays.copyOfRange(body, 50_000, body.length));
        assertThat(write.statusCode()).isEqualTo(503);
        assertThat(write.bodyAsString()).startsWith("ERR_NODE_UNREACHABLE: ");
        HttpResponse<Buffer> status = TestServer.await(web.getAbs(nodes.get(1).baseUrl() + "/api/clips/" + id)
                .bearerTokenAuthentication(owner).send());
        assertThat(status.statusCode()).as("the API does not deny the clip either").isEqualTo(503);

        start(0);
        HttpResponse<Buffer> back = send(tus(1, HttpMethod.HEAD, path));
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.getHeader("Upload-Offset")).isEqualTo("50000");
        assertThat(patch(2, path, 50_000, Arrays.copyOfRange(body, 50_000, body.length)).statusCode()).isEqualTo(204);
        assertThat(committedSha(1, id)).as("byte-identical").isEqualTo(Clips.sha256(body));
    }

    @Test
    void aFinalConcatenationJoinsPartsHeldByEveryNode() throws Exception {
        byte[] body = bytes(90_000, 4);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            HttpResponse<Buffer> res = send(tus(i, HttpMethod.POST, "/files/").putHeader("Upload-Length", "30000")
                    .putHeader("Upload-Concat", "partial"));
            assertThat(res.statusCode()).isEqualTo(201);
            String path = res.getHeader("Location").substring(nodes.get(i).baseUrl().length());
            assertThat(patch(i, path, 0, Arrays.copyOfRange(body, i * 30_000, (i + 1) * 30_000)).statusCode()).isEqualTo(204);
            parts.add(path);
        }
        HttpResponse<Buffer> joined = send(tus(1, HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;" + String.join(" ", parts)));
        assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(201);
        String id = idOf(joined.getHeader("Location"));
        assertThat(committedSha(0, id)).as("the parts of three nodes, joined in order").isEqualTo(Clips.sha256(body));
        HttpResponse<Buffer> again = send(tus(2, HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;" + parts.get(0)));
        assertThat(again.statusCode()).as("a part is joined once, whichever node is asked").isEqualTo(400);
    }

    @Test
    void aCodeSentFromOneNodeSignsInOnAnotherWithItsTriesCountedWhereItWaits() throws Exception {
        String phone = "+15005550123";
        HttpResponse<Buffer> asked = TestServer.await(web.postAbs(nodes.get(0).baseUrl() + "/api/auth/code")
                .sendJsonObject(new JsonObject().put("phone", phone)));
        assertThat(asked.statusCode()).as(asked.bodyAsString()).isEqualTo(202);
        Matcher sent = Pattern.compile("to=\\" + phone + " text=\"Your Convoy code is (\\d{6})")
                .matcher(log(0));
        assertThat(sent.find()).as("the development sender logs the code").isTrue();
        String code = sent.group(1);
        String wrong = code.equals("000000") ? "111111" : "000000";

        HttpResponse<Buffer> miss = verify(1, phone, wrong);
        assertThat(miss.statusCode()).isEqualTo(401);
        assertThat(miss.bodyAsJsonObject().getJsonObject("error").getInteger("attemptsLeft")).as("the try counts where the code waits").isEqualTo(4);
        HttpResponse<Buffer> hit = verify(2, phone, code);
        assertThat(hit.statusCode()).as(hit.bodyAsString()).isEqualTo(200);
        String token = hit.bodyAsJsonObject().getString("token");
        HttpResponse<Buffer> listing = TestServer.await(web.getAbs(nodes.get(1).baseUrl() + "/api/clips").bearerTokenAuthentication(token).send());
        assertThat(listing.statusCode()).as("the token works on every node").isEqualTo(200);
        assertThat(verify(1, phone, code).bodyAsJsonObject().getJsonObject("error").getString("code"))
                .as("a code signs in once, whichever node is asked").isEqualTo("code_expired");
    }

    private static HttpResponse<Buffer> verify(int node, String phone, String code) throws Exception {
        return TestServer.await(web.postAbs(nodes.get(node).baseUrl() + "/api/auth/verify")
                .sendJsonObject(new JsonObject().put("phone", phone).put("code", code)));
    }

    @Test
    void theOperatorsNumbersHaveARowPerNode() throws Exception {
        HttpResponse<Buffer> asked = TestServer.await(web.postAbs(nodes.get(2).baseUrl() + "/api/auth/code")
                .sendJsonObject(new JsonObject().put("phone", OPERATOR)));
        assertThat(asked.statusCode()).as(asked.bodyAsString()).isEqualTo(202);
        Matcher sent = Pattern.compile("to=\\" + OPERATOR + " text=\"Your Convoy code is (\\d{6})").matcher(log(2));
        assertThat(sent.find()).isTrue();
        HttpResponse<Buffer> signedIn = verify(2, OPERATOR, sent.group(1));
        assertThat(signedIn.bodyAsJsonObject().getBoolean("operator")).isTrue();
        String operator = signedIn.bodyAsJsonObject().getString("token");
        JsonObject stats = null;
        for (int i = 0; i < 50 && (stats == null || stats.getJsonArray("nodes").size() < NAMES.size()); i++) {
            Thread.sleep(i == 0 ? 0 : 200);
            HttpResponse<Buffer> res = TestServer.await(web.getAbs(nodes.get(1).baseUrl() + "/api/ops/stats")
                    .bearerTokenAuthentication(operator).send());
            assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
            stats = res.bodyAsJsonObject();
        }
        assertThat(stats.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("node")).toList())
                .as("this node's row first, then the others'").containsExactly(NAMES.get(1), NAMES.get(0), NAMES.get(2));
        assertThat(stats.getInteger("nodesUnanswered")).isZero();
        assertThat(TestServer.await(web.getAbs(nodes.get(1).baseUrl() + "/api/ops/stats").bearerTokenAuthentication(owner).send())
                .statusCode()).as("an owner").isEqualTo(403);
    }

    @Test
    void anAdoptedUploadThatIsGoneIsAnswered404FromEveryNodeNotLookedUpForEver() throws Exception {
        String path = create(0, 50_000);
        assertThat(patch(0, path, 0, bytes(10_000, 6)).statusCode()).isEqualTo(204);
        drainA();
        assertThat(send(tus(1, HttpMethod.HEAD, path)).statusCode()).as("adopted by b").isEqualTo(200);
        assertThat(send(tus(2, HttpMethod.DELETE, path)).statusCode()).as("terminated on b, through c").isEqualTo(204);
        for (int node = 1; node <= 2; node++) {
            HttpResponse<Buffer> gone = TestServer.await(tus(node, HttpMethod.HEAD, path).timeout(10_000).send());
            assertThat(gone.statusCode()).as("from node %s", NAMES.get(node)).isEqualTo(404);
        }
    }

    @Test
    void aRequestTargetInAbsoluteFormIsNeverForwardedToTheHostItNames() throws Exception {
        String path = create(0, 1_000);
        try (ServerSocket trap = new ServerSocket(0)) {
            trap.setSoTimeout(1_000);
            try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(nodes.get(2).baseUrl().replaceAll(".*:", "")))) {
                socket.getOutputStream().write(("HEAD http://127.0.0.1:" + trap.getLocalPort() + path + " HTTP/1.1\r\nHost: x\r\n"
                        + "Tus-Resumable: 1.0.0\r\nAuthorization: Bearer " + device + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(status).as("answered by the node holding the upload").isEqualTo("HTTP/1.1 200");
            }
            assertThatThrownBy(trap::accept).as("nothing reached the host the target named").isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void forwardingIsRefusedForNamesThatAreNoPeerAndLoopsStop() throws Exception {
        String path = create(1, 1_000);
        String id = idOf(path);
        HttpResponse<Buffer> unknownNode = send(tus(2, HttpMethod.HEAD, "/files/zz/" + id));
        assertThat(unknownNode.statusCode()).as("a node name that is no peer is no upload").isEqualTo(404);
        HttpResponse<Buffer> hostile = send(tus(2, HttpMethod.HEAD, "/files/evil.example.com/" + id));
        assertThat(hostile.statusCode()).isEqualTo(404);
        HttpResponse<Buffer> looped = send(tus(2, HttpMethod.HEAD, path).putHeader("Convoy-Forwarded-By", "a,b"));
        assertThat(looped.statusCode()).as("a request that passed two nodes is answered, not forwarded again").isEqualTo(404);
    }

    // --- helpers

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String idOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static HttpRequest<Buffer> tus(int node, HttpMethod method, String path) {
        return web.requestAbs(method, nodes.get(node).baseUrl() + path).putHeader("Tus-Resumable", "1.0.0")
                .bearerTokenAuthentication(device);
    }

    private static HttpResponse<Buffer> send(HttpRequest<Buffer> request) throws Exception {
        return TestServer.await(request.send());
    }

    /** An upload of {@code body} created on node a with its first {@code sent} bytes acknowledged there; its URL's path. */
    private static String startedOnA(byte[] body, int sent) throws Exception {
        String path = create(0, body.length);
        assertThat(patch(0, path, 0, Arrays.copyOfRange(body, 0, sent)).statusCode()).isEqualTo(204);
        return path;
    }

    /** SIGTERM to node a: it drains, parks what it has and stops. */
    private static void drainA() throws Exception {
        nodes.get(0).terminate();
        assertThat(nodes.get(0).exited(Duration.ofSeconds(30))).as("the drain ends, what it had parked").isTrue();
    }

    /** Creates an upload on {@code node}; returns its URL's path. */
    private static String create(int node, int length) throws Exception {
        HttpResponse<Buffer> res = send(tus(node, HttpMethod.POST, "/files/").putHeader("Upload-Length", Integer.toString(length)));
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
        String location = res.getHeader("Location");
        assertThat(location).startsWith(nodes.get(node).baseUrl());
        return location.substring(nodes.get(node).baseUrl().length());
    }

    private static HttpResponse<Buffer> patch(int node, String path, long offset, byte[] chunk) throws Exception {
        return TestServer.await(tus(node, HttpMethod.PATCH, path).putHeader("Upload-Offset", Long.toString(offset))
                .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(chunk)));
    }

    private static JsonObject clip(int node, String id) throws Exception {
        HttpResponse<Buffer> res = TestServer.await(web.getAbs(nodes.get(node).baseUrl() + "/api/clips/" + id)
                .bearerTokenAuthentication(owner).send());
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
        return res.bodyAsJsonObject();
    }

    private static List<String> listedIds(int node) throws Exception {
        HttpResponse<Buffer> res = TestServer.await(web.getAbs(nodes.get(node).baseUrl() + "/api/clips")
                .bearerTokenAuthentication(owner).send());
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
        return res.bodyAsJsonObject().getJsonArray("items").stream().map(i -> ((JsonObject) i).getString("id")).toList();
    }

    /** The committed original's SHA-256 (the bytes are no video: the clip ends failed, its original kept). */
    private static String committedSha(int node, String id) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            HttpResponse<Buffer> res = TestServer.await(web.getAbs(nodes.get(node).baseUrl() + "/api/clips/" + id)
                    .bearerTokenAuthentication(owner).send());
            // Until a node adopts a drained node's parked clip, asking for it may meet "ask again" (503 node_unreachable).
            if (res.statusCode() == 503) {
                assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("node_unreachable");
                assertThat(res.getHeader("Retry-After")).isNotNull();
            } else {
                assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
                String sha = res.bodyAsJsonObject().getString("sha256");
                if (sha != null) {
                    return sha;
                }
            }
            assertThat(System.nanoTime()).as("clip %s committed", id).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String metrics(int node) throws Exception {
        return TestServer.await(web.getAbs(nodes.get(node).managementUrl() + "/metrics").send()).bodyAsString();
    }

    private static String log(int node) {
        try {
            return Files.readString(dir.resolve("node-" + NAMES.get(node)).resolve("child.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
