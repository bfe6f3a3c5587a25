package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import dev.convoy.ingest.clip.FailureReasons;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hostile input found by attacking Convoy as an outsider would, each pinned by a test that
 * failed before the fix: nothing gets stuck, nothing is amplified, nothing grows without bound.
 */
class SecurityRegressionTest {

    @TempDir
    static Path dataDir;

    static TestServer server;
    static Vertx vertx;
    static WebClient web;
    static String owner;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dataDir, "--max-uploads-per-device", "2", "--idle-timeout", "2", "--min-upload-rate", "1000",
                "--sms-per-hour", "4", "--sms-per-country-per-hour", "2,US=1");
        vertx = Vertx.vertx();
        web = WebClient.create(vertx);
        owner = server.ownerToken("mallory");
    }

    @AfterAll
    static void stop() throws Exception {
        web.close();
        TestServer.await(vertx.close());
        server.close();
    }

    @Test
    void aRecordingTimeNoIndexKeyCanHoldNeitherWedgesTheCommitNorHidesOtherClips() throws Exception {
        // Once this made every commit attempt throw and retry for ever, the clip stuck 'processing'.
        String far = upload(server.deviceToken("mallory", "cam-far"), "+999999999-12-31T23:59:59Z", 2000);
        String reset = upload(server.deviceToken("mallory", "cam-1970"), "1970-01-01T00:00:00Z", 2000);
        String fine = upload(server.deviceToken("mallory", "cam-fine"), "2026-11-27T08:00:00Z", 2000);

        for (String id : new String[] {far, reset, fine}) {
            assertThat(awaitSettled(id)).as("clip %s is committed, not stuck", id).isEqualTo("failed");
        }
        JsonObject farClip = get("/api/clips/" + far).bodyAsJsonObject();
        assertThat(farClip.getJsonObject("metadata").getString("recordedAt")).as("an unset camera clock is not believed").isNull();

        JsonArray listed = get("/api/clips?limit=200").bodyAsJsonObject().getJsonArray("items");
        assertThat(listed.stream().map(o -> ((JsonObject) o).getString("id"))).contains(far, reset, fine);
        assertThat(listed.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(reset))
                .map(o -> Instant.parse(o.getString("recordedAt")))).allMatch(at -> at.isAfter(Instant.parse("2020-01-01T00:00:00Z")));
        JsonArray since = get("/api/clips?from=2026-01-01T00:00:00Z").bodyAsJsonObject().getJsonArray("items");
        assertThat(since.stream().map(o -> ((JsonObject) o).getString("id"))).contains(fine);
    }

    @Test
    void aFailedClipSaysItsReasonsSentenceNotTheServersPathsOrFfmpegsWords() throws Exception {
        String id = upload(server.deviceToken("mallory", "cam-junk"), "2026-11-27T09:00:00Z", 3000);
        assertThat(awaitSettled(id)).isEqualTo("failed");

        JsonObject failure = get("/api/clips/" + id).bodyAsJsonObject().getJsonObject("failure");
        assertThat(failure.getString("reason")).isEqualTo("not_a_video");
        assertThat(failure.getString("message")).isEqualTo(FailureReasons.sentence("not_a_video"))
                .doesNotContain(dataDir.toString()).doesNotContain("/uploads/").doesNotContainIgnoringCase("avformat");
    }

    @Test
    void rawVideoAndUploadStateAreReadableByTheServicesUserOnly() throws Exception {
        String device = server.deviceToken("mallory", "cam-perms");
        HttpResponse<Buffer> created = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "100"));
        String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
        TestServer.await(tus(HttpMethod.PATCH, "/files/" + id, device).putHeader("Upload-Offset", "0")
                .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(new byte[40])));

        Path uploads = dataDir.resolve("uploads");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(uploads))).isEqualTo("rwx------");
        for (String file : new String[] {id + ".bin", id + ".json", id + ".offset"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(uploads.resolve(file)))).as(file)
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aDownloadIsSavedUnderTheBaseNameWithItsUtf8NameIntact() throws Exception {
        // Once the path came along and non-Latin letters became spaces.
        String device = server.deviceToken("mallory", "cam-names");
        byte[] body = new byte[500];
        HttpResponse<Buffer> created = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "500")
                .putHeader("Upload-Metadata", "filename " + b64("../../sdcard/Überfahrt 東京.mp4")));
        String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
        TestServer.await(tus(HttpMethod.PATCH, "/files/" + id, device).putHeader("Upload-Offset", "0")
                .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(body)));
        assertThat(awaitSettled(id)).isEqualTo("failed");

        String url = get("/api/clips/" + id).bodyAsJsonObject().getJsonObject("urls").getString("original");
        HttpResponse<Buffer> download = TestServer.await(web.getAbs(server.baseUrl() + url).send());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"_berfahrt __.mp4\"; filename*=UTF-8''%C3%9Cberfahrt%20%E6%9D%B1%E4%BA%AC.mp4");
    }

    @Test
    void aNewlineInATokenHeaderOrAClipIdCannotForgeALogLine() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> stdout = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDOUT");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        try {
            String forged = "\n2026-11-28T00:00:00.000Z INFO  Main event=ready url=http://evil/";
            // No account needed: a token whose header says anything at all.
            String header = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("{\"alg\":\"HS256" + forged + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
            HttpResponse<Buffer> refused = send(tus(HttpMethod.POST, "/files/", header + ".e30.c2ln").putHeader("Upload-Length", "1"));
            assertThat(refused.statusCode()).isEqualTo(401);
            String device = server.deviceToken("mallory", "cam-logs");
            for (int i = 0; i < 2; i++) {
                send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "10")
                        .putHeader("Upload-Metadata", "clientClipId " + b64("clip-1" + forged)));
            }
        } finally {
            root.detachAppender(events);
        }
        List<String> lines;
        synchronized (events) { // the appender appends under its own lock
            lines = events.list.stream().filter(e -> e.getThrowableProxy() == null)
                    .map(e -> new String(stdout.getEncoder().encode(e), StandardCharsets.UTF_8)).toList();
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.indexOf('\n')).as(line).isEqualTo(line.length() - 1));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("clip-1\\n2026-11-28T00:00:00.000Z INFO  Main event=ready"));
        assertThat(lines).noneMatch(line -> line.contains("HS256"));
    }

    @Test
    void aCleanStartAndItsFirstRequestsLogNoWarningOrError(@TempDir Path fresh) throws Exception {
        // An operator reads ERROR as broken: the embedded store once logged one at every start, and Micrometer
        // a WARN at the first connections (Vert.x registering its shared gauges once per server instance).
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        try (TestServer second = TestServer.start(fresh)) {
            String device = second.deviceToken("quiet", "cam-1");
            for (int i = 0; i < 8; i++) {
                // Fresh connections, so that every server instance (one per event loop) takes some.
                WebClient once = WebClient.create(vertx);
                TestServer.await(once.postAbs(second.baseUrl() + "/files/").putHeader("Tus-Resumable", "1.0.0")
                        .putHeader("Upload-Length", "10").bearerTokenAuthentication(device).send());
                TestServer.await(once.getAbs(second.baseUrl() + "/api/clips").bearerTokenAuthentication(device).send());
                TestServer.await(once.getAbs(second.managementUrl() + "/metrics").send());
                once.close();
            }
        } finally {
            root.detachAppender(events);
        }
        synchronized (events) { // the appender appends under its own lock
            assertThat(events.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        }
    }

    @Test
    void aBodyDrippingAByteAtATimeIsCutOffWithItsBytesKept() throws Exception {
        // Once a byte every 5 s held the upload's lock and connection for ever: it never stalled long enough.
        String device = server.deviceToken("mallory", "cam-drip");
        HttpResponse<Buffer> created = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "100"));
        String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
        String head = "PATCH /files/" + id + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\n"
                + "Authorization: Bearer " + device + "\r\nUpload-Offset: 0\r\n"
                + "Content-Type: application/offset+octet-stream\r\nContent-Length: 100\r\n\r\n";
        String answer;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            StringBuilder read = new StringBuilder();
            // A byte every 250 ms: 4 bytes/s, never quiet for the 2 s idle timeout, far under 1000 bytes/s.
            for (int i = 0; i < 40 && read.length() == 0; i++) {
                try {
                    out.write('x');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                try {
                    int n = socket.getInputStream().read();
                    if (n >= 0) {
                        read.append((char) n).append(new String(socket.getInputStream().readNBytes(11), StandardCharsets.US_ASCII));
                    }
                } catch (SocketTimeoutException nothingYet) {
                    Thread.sleep(50);
                }
            }
            answer = read.toString();
        }
        assertThat(answer).startsWith("HTTP/1.1 500");
        HttpResponse<Buffer> after = send(tus(HttpMethod.HEAD, "/files/" + id, device));
        assertThat(Long.parseLong(after.getHeader("Upload-Offset"))).as("the bytes that came are kept").isBetween(1L, 20L);
    }

    @Test
    void aBodyThatCouldBeFramedTwoWaysIsRefusedAndTheConnectionClosed() throws Exception {
        // Once Netty dropped the Content-Length, served the chunked body and kept the connection: behind a
        // proxy that frames by the length, the rest of the body would be read here as a second request.
        String device = server.deviceToken("mallory", "cam-smuggle");
        HttpResponse<Buffer> created = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "100"));
        String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
        String smuggled = "GET /api/clips HTTP/1.1\r\nHost: localhost\r\n\r\n";
        String chunkedBody = "5\r\nhello\r\n0\r\n\r\n";
        List<String[]> framings = List.of(
                new String[] {"HTTP/1.1", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"},
                new String[] {"HTTP/1.1", "Content-Length: 5\r\nTransfer-Encoding: gzip,\tchunked\r\n"},
                new String[] {"HTTP/1.1", "Transfer-Encoding: gzip\r\n"},
                new String[] {"HTTP/1.1", "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"},
                new String[] {"HTTP/1.0", "Transfer-Encoding: chunked\r\n"});
        for (String[] framing : framings) {
            String request = "PATCH /files/" + id + " " + framing[0] + "\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\n"
                    + "Authorization: Bearer " + device + "\r\nUpload-Offset: 0\r\n"
                    + "Content-Type: application/offset+octet-stream\r\n" + framing[1] + "\r\n" + chunkedBody + smuggled;
            String answer;
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                // readAllBytes returns only once the server has closed the connection.
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
            String framed = framing[0] + " " + framing[1].replace("\r\n", " ").replace("\t", "<TAB>");
            assertThat(answer).as(framed).startsWith(framing[0] + " 400").contains("ERR_AMBIGUOUS_FRAMING: ");
            assertThat(Pattern.compile("HTTP/1\\.[01] \\d{3} ").matcher(answer).results().count())
                    .as(framed + ": one answer, then the connection is closed").isEqualTo(1);
            HttpResponse<Buffer> after = send(tus(HttpMethod.HEAD, "/files/" + id, device));
            assertThat(after.getHeader("Upload-Offset")).as(framed + ": no byte of the ambiguous body was written").isEqualTo("0");
        }
        // The management port reads requests with the same decoder.
        int managementPort = Integer.parseInt(server.managementUrl().substring(server.managementUrl().lastIndexOf(':') + 1));
        try (Socket socket = new Socket("127.0.0.1", managementPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody + smuggled).getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).as("management port").startsWith("HTTP/1.1 400").contains("ERR_AMBIGUOUS_FRAMING: ");
        }
        // The same body framed one way only is served, by length or by chunks.
        HttpResponse<Buffer> framed = TestServer.await(tus(HttpMethod.PATCH, "/files/" + id, device)
                .putHeader("Upload-Offset", "0").putHeader("Content-Type", "application/offset+octet-stream")
                .sendBuffer(Buffer.buffer("hello")));
        assertThat(framed.statusCode()).isEqualTo(204);
        assertThat(framed.getHeader("Upload-Offset")).isEqualTo("5");
        String chunked = "PATCH /files/" + id + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\nConnection: close\r\n"
                + "Authorization: Bearer " + device + "\r\nUpload-Offset: 5\r\nContent-Type: application/offset+octet-stream\r\n"
                + "Transfer-Encoding: Chunked\r\n\r\n5\r\nworld\r\n0\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(chunked.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 204").containsIgnoringCase("Upload-Offset: 10");
        }
    }

    @Test
    void metricsAndHealthAnswerOnTheManagementPortOnly() throws Exception {
        // Once the public port told anyone the service's numbers (owners' traffic, disk, queue) and its health.
        for (String path : List.of("/metrics", "/health/live", "/health/ready")) {
            HttpResponse<Buffer> publicPort = TestServer.await(web.getAbs(server.baseUrl() + path).send());
            assertThat(publicPort.statusCode()).as("public " + path).isEqualTo(404);
            HttpResponse<Buffer> management = TestServer.await(web.getAbs(server.managementUrl() + path).send());
            assertThat(management.statusCode()).as("management " + path).isEqualTo(200);
        }
        assertThat(server.managementUrl()).as("loopback unless set").startsWith("http://127.0.0.1:")
                .isNotEqualTo(server.baseUrl());
    }

    @Test
    void theManagementPortListensOnLoopbackUnlessToldOtherwise(@TempDir Path fresh) throws Exception {
        // Bound to every address with the API on loopback: the management port is still 127.0.0.1 only.
        TestServer wide = TestServer.start(fresh, "--host", "0.0.0.0");
        try {
            int managementPort = Integer.parseInt(wide.managementUrl().substring(wide.managementUrl().lastIndexOf(':') + 1));
            InetAddress outside = nonLoopbackAddress();
            Assumptions.assumeTrue(outside != null, "this machine has no address but loopback");
            try (Socket api = new Socket(outside, wide.port())) {
                assertThat(api.isConnected()).as("the API answers on " + outside).isTrue();
            }
            assertThatThrownBy(() -> new Socket(outside, managementPort).close())
                    .as("the management port is not reachable on " + outside).isInstanceOf(ConnectException.class);
        } finally {
            wide.close();
        }
    }

    @Test
    void metricsAndHealthStayOnThePublicPortWhenExplicitlyAskedFor(@TempDir Path fresh) throws Exception {
        TestServer asBefore = TestServer.start(fresh, "--management-port", "public");
        try {
            assertThat(asBefore.managementUrl()).isEqualTo(asBefore.baseUrl());
            HttpResponse<Buffer> metrics = TestServer.await(web.getAbs(asBefore.baseUrl() + "/metrics").send());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.bodyAsString()).contains("# TYPE convoy_");
        } finally {
            asBefore.close();
        }
    }

    @Test
    void signInTextsStopAtTheHourlyBudgetsGlobalAndPerCountry() throws Exception {
        // Once any script could have codes texted to any number, as fast as the per-address limits allowed.
        assertThat(sendCode("+44 20 7946 0001").statusCode()).isEqualTo(202);
        assertThat(sendCode("+44 20 7946 0002").statusCode()).isEqualTo(202);
        HttpResponse<Buffer> gb = sendCode("+44 20 7946 0003");
        assertThat(gb.statusCode()).isEqualTo(429);
        assertThat(ApiClient.errorCode(gb)).isEqualTo("sms_budget_exhausted");
        // The hour's first text leaves it in an hour (a minute less if a minute has turned meanwhile).
        assertThat(Long.parseLong(gb.getHeader("Retry-After"))).isBetween(3000L, 3600L);
        assertThat(gb.bodyAsJsonObject().getJsonObject("error").getString("message")).containsPattern("Try again in (59|60) minutes\\.");
        assertThat(sendCode("+1 650 253 0000").statusCode()).as("the US has its own cap, 1").isEqualTo(202);
        assertThat(ApiClient.errorCode(sendCode("+1 650 253 0001"))).isEqualTo("sms_budget_exhausted");
        assertThat(sendCode("+33 1 42 68 53 00").statusCode()).as("France has texts left").isEqualTo(202);
        HttpResponse<Buffer> de = sendCode("+49 30 901820");
        assertThat(ApiClient.errorCode(de)).as("four texts this hour: the global cap").isEqualTo("sms_budget_exhausted");
        assertThat(server.sms().count()).as("no text went out past a cap").isEqualTo(4);
        String metrics = TestServer.await(web.getAbs(server.managementUrl() + "/metrics").send()).bodyAsString();
        assertThat(metrics).contains("convoy_sms_budget_exhausted_total{country=\"GB\",scope=\"country\"} 1.0")
                .contains("convoy_sms_budget_exhausted_total{country=\"US\",scope=\"country\"} 1.0")
                .contains("convoy_sms_budget_exhausted_total{country=\"all\",scope=\"global\"} 1.0");
    }

    @Test
    void listingTimesNoIndexKeyCanOrderAreRefusedNotAnswered500() throws Exception {
        for (String query : new String[] {"from=+999999999-12-31T23:59:59Z", "to=1900-01-01T00:00:00Z",
                "from=2287-01-01T00:00:00Z", "to=-000001-01-01T00:00:00Z"}) {
            HttpResponse<Buffer> res = get("/api/clips?" + query);
            assertThat(res.statusCode()).as(query).isEqualTo(400);
            assertThat(ApiClient.errorCode(res)).isEqualTo("invalid_parameter");
        }
    }

    @Test
    void completePartialUploadsCountTowardTheDeviceLimit() throws Exception {
        // Once 40 complete partial uploads were made under a limit of 32: they counted only while open.
        String device = server.deviceToken("mallory", "cam-parts");
        for (int i = 0; i < 2; i++) {
            HttpResponse<Buffer> part = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "10")
                    .putHeader("Upload-Concat", "partial"));
            assertThat(part.statusCode()).isEqualTo(201);
            String path = part.getHeader("Location").substring(part.getHeader("Location").indexOf("/files/"));
            HttpResponse<Buffer> done = TestServer.await(tus(HttpMethod.PATCH, path, device).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(new byte[10])));
            assertThat(done.statusCode()).isEqualTo(204);
        }
        HttpResponse<Buffer> third = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", "10")
                .putHeader("Upload-Concat", "partial"));
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.bodyAsString()).startsWith("ERR_TOO_MANY_UPLOADS: ");
    }

    private static HttpResponse<Buffer> sendCode(String phone) throws Exception {
        return TestServer.await(web.postAbs(server.baseUrl() + "/api/auth/code").sendJsonObject(new JsonObject().put("phone", phone)));
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(nic -> {
            try {
                return nic.isUp() && !nic.isLoopback();
            } catch (SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
    }

    /** Uploads {@code bytes} random bytes (no video: the clip ends failed, quickly) and returns the clip id. */
    private static String upload(String device, String recordedAt, int bytes) throws Exception {
        byte[] body = new byte[bytes];
        new Random(bytes).nextBytes(body);
        HttpResponse<Buffer> created = send(tus(HttpMethod.POST, "/files/", device).putHeader("Upload-Length", Integer.toString(bytes))
                .putHeader("Upload-Metadata", "kind " + b64("incident") + ",recordedAt " + b64(recordedAt)));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        String path = created.getHeader("Location").substring(created.getHeader("Location").indexOf("/files/"));
        HttpResponse<Buffer> patched = TestServer.await(tus(HttpMethod.PATCH, path, device).putHeader("Upload-Offset", "0")
                .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(body)));
        assertThat(patched.statusCode()).isEqualTo(204);
        return path.substring("/files/".length());
    }

    /** The clip's status once it is no longer uploading or processing (at most 60 s). */
    private static String awaitSettled(String id) throws Exception {
        String status = "processing";
        for (int i = 0; i < 600 && ("processing".equals(status) || "uploading".equals(status)); i++) {
            status = get("/api/clips/" + id).bodyAsJsonObject().getString("status");
            if ("processing".equals(status) || "uploading".equals(status)) {
                Thread.sleep(100);
            }
        }
        return status;
    }

    private static HttpResponse<Buffer> get(String path) throws Exception {
        return TestServer.await(web.getAbs(server.baseUrl() + path).bearerTokenAuthentication(owner).send());
    }

    private static HttpRequest<Buffer> tus(HttpMethod method, String path, String token) {
        return web.requestAbs(method, server.baseUrl() + path).putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token);
    }

    private static HttpResponse<Buffer> send(HttpRequest<Buffer> req) throws Exception {
        return TestServer.await(req.send());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
