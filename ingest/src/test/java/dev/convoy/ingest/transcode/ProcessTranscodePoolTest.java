package dev.convoy.ingest.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TestClips;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.worker.TranscodeWorker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transcodes in real worker processes: results, refusals, native crashes and deadlines. */
class ProcessTranscodePoolTest {

    @TempDir
    Path dir;

    Vertx vertx;
    SimpleMeterRegistry registry;

    @BeforeAll
    static void enableCrashHook() {
        System.setProperty("convoy.worker.testHooks", "true");
    }

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        TestServer.await(vertx.close());
    }

    private ProcessTranscodePool pool(int workers, Duration deadlineBase, double factor) {
        return new ProcessTranscodePool(vertx, new ProcessTranscodePool.Options(workers, deadlineBase, factor,
                Duration.ofSeconds(15), ProcessTranscodePool.Options.defaults(workers).jvmOptions(), Duration.ofSeconds(10)), registry);
    }

    private TranscodeJob job(Path source, String name) {
        return new TranscodeJob(source, dir.resolve(name), TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults().withThreads(1));
    }

    private TranscodeException refusal(Future<TranscodeResult> future) {
        Throwable cause = TestServer.awaitFailure(future);
        assertThat(cause).isInstanceOf(TranscodeException.class);
        return (TranscodeException) cause;
    }

    private double restarts() {
        return registry.get("convoy.transcode.worker.restarts").counter().count();
    }

    @Test
    void aWorkerProcessMakesTheRenditionsAndIsReusedAfterARefusal() throws Exception {
        try (ProcessTranscodePool pool = pool(1, Duration.ofSeconds(60), 4)) {
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio());
            TranscodeResult result = TestServer.await(pool.transcode(job(clip, "a")));
            assertThat(result.framesDecoded()).isEqualTo(120);
            assertThat(result.facts().hasAudio()).isTrue();
            assertThat(result.renditions()).extracting(TranscodeResult.Rendition::role)
                    .containsExactly("poster", "thumbnail", "thumbnail-webp", "storyboard", "storyboard-vtt", "preview");
            for (TranscodeResult.Rendition r : result.renditions()) {
                assertThat(Files.size(r.file())).as(r.role()).isPositive();
            }

            Path junk = Files.writeString(dir.resolve("junk.mp4"), "not a video, a note");
            assertThat(refusal(pool.transcode(job(junk, "b"))).reason()).isEqualTo("not_a_video");
            assertThat(TestServer.await(pool.transcode(job(clip, "c"))).framesDecoded()).isEqualTo(120);
            assertThat(restarts()).as("a refusal does not cost a worker").isZero();
        }
    }

    /** Copies {@code source} into {@code spool} in {@code pieces} a little apart, acknowledging each; {@code upTo} bytes in all. */
    private static Thread upload(Path source, Path spool, Arrival arrival, int pieces, long upTo) {
        Thread t = new Thread(() -> {
            try {
                byte[] bytes = Files.readAllBytes(source);
                long end = Math.min(upTo, bytes.length);
                long piece = bytes.length / pieces + 1;
                Files.write(spool, new byte[0]);
                for (long at = 0; at < end; at += piece) {
                    int n = (int) Math.min(piece, end - at);
                    Files.write(spool, Arrays.copyOfRange(bytes, (int) at, (int) at + n), StandardOpenOption.APPEND);
                    arrival.grew(at + n, at + n == bytes.length);
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "upload");
        t.start();
        return t;
    }

    @Test
    void aClipStillArrivingIsReadByItsWorkerAsItsUploadAcknowledgesIt() throws Exception {
        try (ProcessTranscodePool pool = pool(1, Duration.ofSeconds(60), 4)) {
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio().withFormat("mpegts"));
            Path spool = dir.resolve("spool");
            Files.write(spool, new byte[0]);
            Arrival arrival = new Arrival(0, Files.size(clip));
            Future<TranscodeResult> pass = pool.transcode(job(spool, "a"), arrival);
            Thread uploading = upload(clip, spool, arrival, 20, Long.MAX_VALUE);

            TranscodeResult result = TestServer.await(pass);
            uploading.join();
            assertThat(result.framesDecoded()).isEqualTo(120);
            assertThat(result.facts().durationMs()).as("measured from its frames").isBetween(3_900L, 4_100L);
            assertThat(result.renditions()).extracting(TranscodeResult.Rendition::role)
                    .containsExactly("poster", "thumbnail", "thumbnail-webp", "storyboard", "storyboard-vtt", "preview");
        }
    }

    @Test
    void aPassWhoseUploadStallsGivesItsWorkerUpToTheNextClip() throws Exception {
        ProcessTranscodePool.Options options = new ProcessTranscodePool.Options(1, Duration.ofSeconds(60), 4,
                Duration.ofSeconds(15), ProcessTranscodePool.Options.defaults(1).jvmOptions(), Duration.ofMillis(500));
        try (ProcessTranscodePool pool = new ProcessTranscodePool(vertx, options, registry)) {
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio().withFormat("mpegts"));
            Path spool = dir.resolve("spool");
            Arrival arrival = new Arrival(0, Files.size(clip));
            upload(clip, spool, arrival, 10, Files.size(clip) / 2).join();
            Future<TranscodeResult> stalled = pool.transcode(job(spool, "a"), arrival);
            Future<TranscodeResult> next = pool.transcode(job(clip, "b"));

            TranscodeException yielded = refusal(stalled);
            assertThat(yielded.reason()).isEqualTo(TranscodeException.STALLED);
            assertThat(yielded.isYield()).isTrue();
            assertThat(TestServer.await(next).framesDecoded()).as("the one worker went on to the next clip").isEqualTo(120);
            assertThat(restarts()).isZero();
        }
    }

    @Test
    void aWorkerThatDiesUnderAClipStillArrivingLeavesItToAWholePass() throws Exception {
        try (ProcessTranscodePool pool = pool(1, Duration.ofSeconds(60), 4)) {
            byte[] crafted = (TranscodeWorker.CRASH_MARKER + " followed by whatever a crafted file holds").getBytes(StandardCharsets.US_ASCII);
            Path spool = Files.write(dir.resolve("spool"), crafted);
            Arrival arrival = new Arrival(crafted.length, crafted.length * 4L);

            TranscodeException interrupted = refusal(pool.transcode(job(spool, "a"), arrival));
            assertThat(interrupted.reason()).as("not failed: transcoded whole once complete").isEqualTo(TranscodeException.INTERRUPTED);
            assertThat(interrupted.isYield()).isTrue();
            assertThat(restarts()).as("its worker died once and was not retried while the clip arrived").isEqualTo(1);
        }
    }

    @Test
    void aPassOverAnUploadThatGoesAwayStopsAsAbandoned() throws Exception {
        try (ProcessTranscodePool pool = pool(1, Duration.ofSeconds(60), 4)) {
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio().withFormat("mpegts"));
            Path spool = dir.resolve("spool");
            Arrival arrival = new Arrival(0, Files.size(clip));
            upload(clip, spool, arrival, 10, Files.size(clip) / 2).join();
            Future<TranscodeResult> pass = pool.transcode(job(spool, "a"), arrival);
            Thread.sleep(500);
            arrival.abandon();

            assertThat(refusal(pass).reason()).isEqualTo(TranscodeException.ABANDONED);
        }
    }

    @Test
    void aClipThatCrashesItsWorkerIsRetriedOnceThenFailsAndTheOthersFinish() throws Exception {
        try (ProcessTranscodePool pool = pool(2, Duration.ofSeconds(60), 4)) {
            Path crasher = dir.resolve("crafted.mp4");
            Files.write(crasher, (TranscodeWorker.CRASH_MARKER + " followed by whatever a crafted file holds")
                    .getBytes(StandardCharsets.US_ASCII));
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio());
            Future<TranscodeResult> crashed = pool.transcode(job(crasher, "x"));
            List<Future<TranscodeResult>> others = List.of(pool.transcode(job(clip, "o1")), pool.transcode(job(clip, "o2")));

            TranscodeException failure = refusal(crashed);
            assertThat(failure.reason()).isEqualTo("transcoder_crashed");
            assertThat(failure.getMessage()).contains("twice");
            for (Future<TranscodeResult> other : others) {
                assertThat(TestServer.await(other).framesDecoded()).isEqualTo(120);
            }
            assertThat(restarts()).as("the first worker and the retry's both died").isEqualTo(2);
            // Replaced: the pool goes on transcoding.
            assertThat(TestServer.await(pool.transcode(job(clip, "after"))).framesDecoded()).isEqualTo(120);
        }
    }

    @Test
    void aJobPastItsDeadlineIsKilled() throws Exception {
        // A deadline of 10 ms plus nothing per second of video: no real transcode fits in it.
        try (ProcessTranscodePool pool = pool(1, Duration.ofMillis(10), 0)) {
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4));
            TranscodeException failure = refusal(pool.transcode(job(clip, "slow")));
            assertThat(failure.reason()).isEqualTo("transcode_timeout");
            assertThat(restarts()).isEqualTo(1);
        }
        try (ProcessTranscodePool pool = pool(1, Duration.ofSeconds(60), 4)) {
            Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4));
            assertThat(TestServer.await(pool.transcode(job(clip, "ok"))).framesDecoded()).isEqualTo(120);
        }
    }
}
