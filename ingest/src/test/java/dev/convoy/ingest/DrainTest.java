package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** SIGTERM drains a node: not ready and no new uploads at once, what is in flight finishes, nothing is lost. */
class DrainTest extends FreshServerTest {

    @Test
    void anUploadInFlightFinishesAndItsClipIsCommittedBeforeTheNodeStops() throws Exception {
        ChildServer child = new ChildServer(dir, freePort());
        try {
            child.start("--drain-grace", "60");
            String device = new DeviceTokens(vertx, SigningSecret.loadOrCreate(dir, null)).issueDevice("dora", "cam-1");
            byte[] body = new byte[200_000];
            new Random(3).nextBytes(body);
            String id = create(child, device, body.length);
            try (Socket socket = new Socket("127.0.0.1", portOf(child))) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(patchHead(id, device, body.length).getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, 100_000);
                out.flush();
                Thread.sleep(300);

                child.terminate();
                HttpResponse<Buffer> ready = awaitNotReady(child);
                assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("accepting")).isEqualTo("DOWN");
                HttpResponse<Buffer> refused = TestServer.await(web.postAbs(child.baseUrl() + "/files/")
                        .putHeader("Tus-Resumable", "1.0.0").putHeader("Upload-Length", "10").bearerTokenAuthentication(device).send());
                assertThat(refused.statusCode()).as("no new upload on a draining node").isEqualTo(503);
                assertThat(refused.getHeader("Retry-After")).isEqualTo("5");
                assertThat(refused.bodyAsString()).startsWith("ERR_SERVER_BUSY: ").contains("shutting down");

                out.write(body, 100_000, body.length - 100_000);
                out.flush();
                String answer = readStatusAndHeaders(socket.getInputStream());
                assertThat(answer).as("the upload in flight is finished and acknowledged").startsWith("HTTP/1.1 204")
                        .containsIgnoringCase("Upload-Offset: 200000");
            }
            assertThat(child.exited(Duration.ofSeconds(45))).as("stops once its clip is committed, well inside the grace").isTrue();

            child.start("--drain-grace", "60");
            String owner = new DeviceTokens(vertx, SigningSecret.loadOrCreate(dir, null)).issueOwner("dora");
            HttpResponse<Buffer> clip = TestServer.await(web.getAbs(child.baseUrl() + "/api/clips/" + id)
                    .bearerTokenAuthentication(owner).send());
            assertThat(clip.bodyAsJsonObject().getString("status")).as("committed before the node stopped").isEqualTo("failed");
            String log = Files.readString(dir.resolve("child.log"));
            assertThat(log).contains("event=drain_started").containsPattern("event=drain_finished .* by=idle");
            assertThat(log.indexOf("event=clip_committed upload=" + id)).as("committed before the drain ended, not after the restart")
                    .isPositive().isLessThan(log.indexOf("event=drain_finished"));
            assertThat(log.split("event=clip_committed upload=" + id, -1)).as("committed exactly once").hasSize(2);
        } finally {
            child.stop();
        }
    }

    @Test
    void aStalledUploadIsCutOffAtTheEndOfTheGraceWithItsBytesKept() throws Exception {
        ChildServer child = new ChildServer(dir, freePort());
        try {
            child.start("--drain-grace", "2", "--idle-timeout", "60");
            String device = new DeviceTokens(vertx, SigningSecret.loadOrCreate(dir, null)).issueDevice("dora", "cam-1");
            String id = create(child, device, 100_000);
            try (Socket socket = new Socket("127.0.0.1", portOf(child))) {
                OutputStream out = socket.getOutputStream();
                out.write(patchHead(id, device, 100_000).getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[40_000]);
                out.flush();
                Thread.sleep(300);
                long terminated = System.nanoTime();
                child.terminate();
                assertThat(child.exited(Duration.ofSeconds(30))).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - terminated)).as("the grace, not the idle timeout")
                        .isLessThan(Duration.ofSeconds(20));
            }
            child.start();
            HttpResponse<Buffer> head = TestServer.await(web.headAbs(child.baseUrl() + "/files/" + id)
                    .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(device).send());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(Long.parseLong(head.getHeader("Upload-Offset"))).as("what arrived before the stop is kept")
                    .isBetween(1L, 40_000L);
            String log = Files.readString(dir.resolve("child.log"));
            Matcher finished = Pattern.compile("event=drain_finished waited_ms=(\\d+) requests=(\\d+) clips=\\d+ by=grace").matcher(log);
            assertThat(finished.find()).as(log).isTrue();
            assertThat(finished.group(2)).as("the stalled upload was cut off, not left to the closing").isEqualTo("0");
            assertThat(Long.parseLong(finished.group(1))).as("ended once it was cut off, inside the settling time").isLessThan(6_500);
        } finally {
            child.stop();
        }
    }

    private String create(ChildServer child, String device, int length) throws Exception {
        HttpResponse<Buffer> created = TestServer.await(web.postAbs(child.baseUrl() + "/files/").putHeader("Tus-Resumable", "1.0.0")
                .putHeader("Upload-Length", Integer.toString(length)).bearerTokenAuthentication(device).send());
        assertThat(created.statusCode()).isEqualTo(201);
        return created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
    }

    private HttpResponse<Buffer> awaitNotReady(ChildServer child) throws Exception {
        HttpResponse<Buffer> ready = null;
        for (int i = 0; i < 100; i++) {
            ready = TestServer.await(web.getAbs(child.managementUrl() + "/health/ready").send());
            if (ready.statusCode() == 503) {
                return ready;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("still ready after SIGTERM: " + ready.bodyAsString());
    }

    private static String patchHead(String id, String token, int length) {
        return "PATCH /files/" + id + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer " + token
                + "\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static String readStatusAndHeaders(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static int portOf(ChildServer child) {
        return Integer.parseInt(child.baseUrl().substring(child.baseUrl().lastIndexOf(':') + 1));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
