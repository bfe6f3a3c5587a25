package dev.convoy.ingest.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.transcoder.ProbeFacts;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscodeQueueTest {

    /** A pool that holds each job until the test lets it finish, and notes the order jobs start in and their threads. */
    static final class GatedPool implements TranscodePool {
        final List<String> started = new ArrayList<>();
        final List<Integer> threads = new ArrayList<>();
        final List<Promise<TranscodeResult>> running = new ArrayList<>();
        private final int size;

        GatedPool() {
            this(1);
        }

        GatedPool(int size) {
            this.size = size;
        }

        @Override
        public Future<TranscodeResult> transcode(TranscodeJob job) {
            started.add(job.source().getFileName().toString());
            threads.add(job.spec().threads());
            Promise<TranscodeResult> promise = Promise.promise();
            running.add(promise);
            return promise.future();
        }

        /** As a pool that reads a growing file: a clip still arriving starts at once. */
        @Override
        public Future<TranscodeResult> transcode(TranscodeJob job, Arrival arriving) {
            return transcode(job);
        }

        void finishOldest() {
            running.remove(0).complete(new TranscodeResult(
                    new ProbeFacts("mp4", "h264", null, 2, 2, 0, 30, false, 1000, 0, false, null, 0, null),
                    List.of(), "test", 30, 1, 1));
        }

        @Override
        public int size() {
            return size;
        }

        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void incidentsGoBeforeManualClipsBeforeDrivesAndEachKindInArrivalOrder() {
        GatedPool pool = new GatedPool();
        TranscodeQueue queue = new TranscodeQueue(pool, 100, new SimpleMeterRegistry());
        queue.submit(ClipKind.DRIVE, "alice", 1000, job("drive-0"));
        queue.submit(ClipKind.DRIVE, "alice", 1000, job("drive-1"));
        queue.submit(ClipKind.MANUAL, "alice", 1000, job("manual-0"));
        queue.submit(ClipKind.INCIDENT, "alice", 1000, job("incident-0"));
        queue.submit(ClipKind.MANUAL, "alice", 1000, job("manual-1"));
        queue.submit(ClipKind.INCIDENT, "alice", 1000, job("incident-1"));

        assertThat(queue.depth()).isEqualTo(5);
        assertThat(queue.depth(ClipKind.INCIDENT)).isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            pool.finishOldest();
        }
        assertThat(pool.started).containsExactly("drive-0", "incident-0", "incident-1", "manual-0", "manual-1", "drive-1");
        assertThat(queue.depth()).isZero();
    }

    @Test
    void clipsStillArrivingGoAfterCompleteOnesOfTheirKindHoldAllWorkersButOneAndAreNoBacklog() {
        GatedPool pool = new GatedPool(2);
        TranscodeQueue queue = new TranscodeQueue(pool, 2, new SimpleMeterRegistry());
        Arrival first = new Arrival(1000, 5000);
        Arrival second = new Arrival(1000, 5000);
        queue.submit(ClipKind.INCIDENT, "alice", 5000, job("arriving-0"), first);
        queue.submit(ClipKind.INCIDENT, "bob", 5000, job("arriving-1"), second);
        assertThat(pool.started).as("of two workers, one for clips still arriving").containsExactly("arriving-0");
        assertThat(queue.depth()).as("a clip still arriving is no backlog").isZero();

        queue.submit(ClipKind.DRIVE, "carol", 1000, job("drive-0"));
        assertThat(pool.started).as("a complete clip, even a drive, finds the other worker").containsExactly("arriving-0", "drive-0");
        queue.submit(ClipKind.MANUAL, "dan", 1000, job("manual-0"));
        queue.submit(ClipKind.MANUAL, "dan", 1000, job("manual-1"));
        assertThat(queue.depth()).isEqualTo(2);
        assertThat(queue.isFull()).as("the complete clips waiting reach the limit of 2").isTrue();

        second.grew(5000, true);
        assertThat(queue.depth(ClipKind.INCIDENT)).as("complete now: backlog like any other").isEqualTo(1);
        pool.finishOldest();
        assertThat(pool.started).as("the incident, complete now, before the manual clips").endsWith("arriving-1");

        queue.submit(ClipKind.INCIDENT, "erin", 5000, job("arriving-2"), new Arrival(1000, 5000));
        queue.submit(ClipKind.INCIDENT, "erin", 5000, job("incident-0"));
        pool.finishOldest();
        assertThat(pool.started).as("within a kind, a complete clip before one still arriving").endsWith("incident-0");
    }

    @Test
    void aClipHeldBackWhileItArrivesLeavesTheQueueAtOnceWhenItsUploadGoesAway() {
        GatedPool pool = new GatedPool(2);
        TranscodeQueue queue = new TranscodeQueue(pool, 10, new SimpleMeterRegistry());
        queue.submit(ClipKind.DRIVE, "alice", 5000, job("arriving-0"), new Arrival(1000, 5000));
        Arrival gone = new Arrival(1000, 5000);
        Future<TranscodeResult> held = queue.submit(ClipKind.DRIVE, "bob", 5000, job("arriving-1"), gone);
        assertThat(pool.started).containsExactly("arriving-0");

        gone.abandon();
        assertThat(held.failed()).as("no wait for a worker").isTrue();
        assertThat(((TranscodeException) held.cause()).reason()).isEqualTo(TranscodeException.ABANDONED);
        assertThat(queue.depth()).isZero();
        assertThat(queue.oldestWaitingSeconds(ClipKind.DRIVE)).isZero();
    }

    @Test
    void aStoppingNodeTakesBackWhatWaitsWhileWhatRunsGoesOnAndNothingMoreStarts() {
        GatedPool pool = new GatedPool();
        TranscodeQueue queue = new TranscodeQueue(pool, 100, new SimpleMeterRegistry());
        Future<TranscodeResult> running = queue.submit(ClipKind.DRIVE, "alice", 1000, job("drive-0"));
        Future<TranscodeResult> waiting = queue.submit(ClipKind.INCIDENT, "alice", 1000, job("incident-0"));
        queue.submit(ClipKind.MANUAL, "bob", 1000, job("manual-0"));

        List<TranscodeJob> taken = queue.withdrawWaiting();
        assertThat(taken).extracting(j -> j.source().getFileName().toString()).containsExactlyInAnyOrder("incident-0", "manual-0");
        assertThat(waiting.failed()).isTrue();
        assertThat(waiting.cause()).isInstanceOf(TranscodeQueue.Withdrawn.class);
        assertThat(queue.depth()).isZero();
        assertThat(queue.depth(ClipKind.INCIDENT)).isZero();

        pool.finishOldest();
        assertThat(running.succeeded()).as("the transcode already running finishes").isTrue();
        assertThat(queue.submit(ClipKind.INCIDENT, "alice", 1000, job("late")).cause()).isInstanceOf(TranscodeQueue.Withdrawn.class);
        assertThat(pool.started).as("nothing started after the backlog was taken back").containsExactly("drive-0");
    }

    @Test
    void stoppingTakesBackWhatWaitsAndStopsTheWorkers() {
        GatedPool pool = new GatedPool();
        TranscodeQueue queue = new TranscodeQueue(pool, 100, new SimpleMeterRegistry());
        queue.submit(ClipKind.DRIVE, "alice", 1000, job("drive-0"));
        Future<TranscodeResult> waiting = queue.submit(ClipKind.DRIVE, "alice", 1000, job("drive-1"));
        queue.stop();
        assertThat(pool.closed).as("the workers stop: the clip they had is handed on, not committed here").isTrue();
        assertThat(waiting.cause()).isInstanceOf(TranscodeQueue.Withdrawn.class);
        assertThat(queue.depth()).isZero();
    }

    @Test
    void withinAKindTheOwnerWhoUploadedLeastRecentlyGoesFirst() {
        GatedPool pool = new GatedPool();
        long[] now = {1};
        TranscodeQueue queue = new TranscodeQueue(pool, 100, new SimpleMeterRegistry(), () -> now[0]);
        queue.submit(ClipKind.DRIVE, "fleet", 500_000_000, job("fleet-0"));
        for (int i = 1; i <= 3; i++) {
            queue.submit(ClipKind.DRIVE, "fleet", 500_000_000, job("fleet-" + i));
        }
        queue.submit(ClipKind.DRIVE, "solo", 400_000_000, job("solo-0"));
        queue.submit(ClipKind.INCIDENT, "fleet", 20_000_000, job("fleet-incident"));
        for (int i = 0; i < 5; i++) {
            pool.finishOldest();
        }
        // The incident still goes first; then the one small owner's drive jumps the fleet's backlog.
        assertThat(pool.started).containsExactly("fleet-0", "fleet-incident", "solo-0", "fleet-1", "fleet-2", "fleet-3");
    }

    @Test
    void anOwnersRecentVolumeIsForgivenWithTime() {
        GatedPool pool = new GatedPool();
        long[] now = {1};
        TranscodeQueue queue = new TranscodeQueue(pool, 100, new SimpleMeterRegistry(), () -> now[0]);
        queue.submit(ClipKind.MANUAL, "busy", 1, job("running"));
        queue.submit(ClipKind.MANUAL, "busy", 1_000_000_000, job("busy-big"));
        // An hour later (six half-lives) the busy owner's gigabyte counts for about 16 MB...
        now[0] += Duration.ofHours(1).toNanos();
        queue.submit(ClipKind.MANUAL, "quiet", 100_000_000, job("quiet-100mb"));
        pool.finishOldest();
        // ...less than the quiet owner's fresh 100 MB, so the older clip goes first.
        assertThat(pool.started).containsExactly("running", "busy-big");
    }

    @Test
    void theQueueIsFullAtItsLimit() {
        GatedPool pool = new GatedPool();
        TranscodeQueue queue = new TranscodeQueue(pool, 2, new SimpleMeterRegistry());
        queue.submit(ClipKind.MANUAL, "alice", 1000, job("running"));
        queue.submit(ClipKind.MANUAL, "alice", 1000, job("waiting-1"));
        assertThat(queue.isFull()).isFalse();
        queue.submit(ClipKind.MANUAL, "alice", 1000, job("waiting-2"));
        assertThat(queue.isFull()).isTrue();
        pool.finishOldest();
        assertThat(queue.isFull()).isFalse();
    }

    @Test
    void theOldestWaitingClipOfEachKindIsMeasured() {
        GatedPool pool = new GatedPool();
        long[] now = {1};
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TranscodeQueue queue = new TranscodeQueue(pool, 100, registry, () -> now[0]);
        queue.submit(ClipKind.DRIVE, "alice", 1000, job("running"));
        queue.submit(ClipKind.DRIVE, "alice", 1000, job("drive-0"));
        now[0] += Duration.ofSeconds(30).toNanos();
        queue.submit(ClipKind.DRIVE, "bob", 1000, job("drive-1"));
        queue.submit(ClipKind.INCIDENT, "bob", 1000, job("incident-0"));
        now[0] += Duration.ofSeconds(10).toNanos();
        assertThat(registry.get("convoy.transcode.queue.oldest").tag("kind", "drive").gauge().value()).isEqualTo(40.0);
        assertThat(registry.get("convoy.transcode.queue.oldest").tag("kind", "incident").gauge().value()).isEqualTo(10.0);
        assertThat(registry.get("convoy.transcode.queue.oldest").tag("kind", "manual").gauge().value()).isZero();
        pool.finishOldest();
        assertThat(registry.get("convoy.transcode.queue.oldest").tag("kind", "incident").gauge().value())
                .as("the incident went first").isZero();
    }

    @Test
    void aClipAloneGetsEveryThreadAndClipsTogetherShareThem() {
        GatedPool pool = new GatedPool(2);
        TranscodeQueue queue = new TranscodeQueue(pool, 100, new SimpleMeterRegistry());
        queue.submit(ClipKind.DRIVE, "alice", 1000, job("long-drive").withThreads(2));
        queue.submit(ClipKind.INCIDENT, "bob", 1000, job("small-0").withThreads(2));
        queue.submit(ClipKind.INCIDENT, "bob", 1000, job("small-1").withThreads(2));
        queue.submit(ClipKind.INCIDENT, "bob", 1000, job("small-2").withThreads(2));
        pool.finishOldest();
        pool.finishOldest();
        pool.finishOldest();
        pool.finishOldest();
        queue.submit(ClipKind.INCIDENT, "carol", 1000, job("alone-again").withThreads(2));

        assertThat(pool.started).containsExactly("long-drive", "small-0", "small-1", "small-2", "alone-again");
        assertThat(pool.threads).as("alone: both cores; with others running or waiting: one each; alone again: both")
                .containsExactly(2, 1, 1, 1, 2);
    }

    private static TranscodeJob job(String name) {
        return new TranscodeJob(Path.of(name), Path.of("out"), TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults());
    }
}
