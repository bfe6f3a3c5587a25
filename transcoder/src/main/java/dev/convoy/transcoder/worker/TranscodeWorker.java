package dev.convoy.transcoder.worker;

import dev.convoy.transcoder.ArrivingSource;
import dev.convoy.transcoder.Codecs;
import dev.convoy.transcoder.RenditionPipeline;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import sun.misc.Unsafe;

/**
 * A long-lived transcode worker process: reads jobs from stdin, runs them one at a time, and
 * answers on stdout in {@link WorkerProtocol}; while a job reads a clip still arriving, stdin
 * also says how far its upload has come. FFmpeg runs here, not in the service, so a file that
 * crashes native code takes down this process only. Everything else this JVM prints goes to
 * stderr, so stdout carries protocol lines alone.
 */
public final class TranscodeWorker {

    /** With {@code -Dconvoy.worker.testHooks=true}, a source starting with this makes the worker crash natively. */
    public static final String CRASH_MARKER = "CONVOY-TEST-CRASH-WORKER";

    private final PrintStream protocol;
    private final AtomicLong frames = new AtomicLong();
    /** The clip of the job running, by job id, while its upload still arrives. */
    private final Map<String, ArrivingSource> arriving = new ConcurrentHashMap<>();

    private TranscodeWorker(PrintStream protocol) {
        this.protocol = protocol;
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        new TranscodeWorker(protocol).serve(System.in);
        System.exit(0);
    }

    private void serve(InputStream in) throws Exception {
        send(WorkerProtocol.ready(ProcessHandle.current().pid(), Codecs.h264Encoder()));
        Thread heartbeat = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
                // The service kills a worker that stays silent (KillReason.SILENT), busy or idle.
                send(WorkerProtocol.heartbeat(frames.get()));
            }
        }, "heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        RenditionPipeline pipeline = new RenditionPipeline();
        // Jobs run on a thread of their own, so that this one goes on reading what a clip still arriving does meanwhile.
        ExecutorService jobs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "transcode");
            t.setDaemon(true);
            return t;
        });
        String line;
        while ((line = reader.readLine()) != null) {
            WorkerProtocol.Message m = WorkerProtocol.parse(line);
            if (m == null) {
                continue;
            }
            switch (m.verb()) {
                case QUIT -> {
                    return;
                }
                case JOB -> {
                    // Registered before the job starts: a "more" read next finds it.
                    ArrivingSource source = arrivingSource(m);
                    jobs.execute(() -> {
                        run(pipeline, m, source);
                        // Frames live in direct buffers and JavaCPP memory that is freed only when their Java
                        // objects are collected; the heap itself sees little garbage, so collect between clips
                        // (a few milliseconds) and the worker's footprint stays flat from clip to clip.
                        System.gc();
                    });
                }
                case MORE -> {
                    ArrivingSource source = arriving.get(m.get("id"));
                    if (source != null && Boolean.parseBoolean(m.getOrNull("abandoned"))) {
                        source.abandon();
                    } else if (source != null) {
                        source.grew(m.getLong("length"), Boolean.parseBoolean(m.get("complete")));
                    }
                }
                default -> {
                    // Verbs the worker sends, not reads.
                }
            }
        }
    }

    /** The clip of a job still arriving, registered under the job's id; null for a complete file. */
    private ArrivingSource arrivingSource(WorkerProtocol.Message m) {
        WorkerProtocol.Arriving a = WorkerProtocol.arriving(m);
        if (a == null) {
            return null;
        }
        ArrivingSource source = new ArrivingSource(Path.of(m.get("source")), a.acknowledged(), a.expected(), Duration.ofMillis(a.stallMs()));
        arriving.put(m.get("id"), source);
        return source;
    }

    private void run(RenditionPipeline pipeline, WorkerProtocol.Message m, ArrivingSource source) {
        String id = m.get("id");
        try (source) {
            TranscodeJob job = WorkerProtocol.job(m);
            crashIfAsked(job);
            frames.set(0);
            TranscodeResult result = pipeline.run(job, new RenditionPipeline.Progress() {
                @Override
                public void probed(long durationMs) {
                    send(WorkerProtocol.probed(id, durationMs));
                }

                @Override
                public void frames(long decoded) {
                    frames.set(decoded);
                }

                @Override
                public void stills(List<TranscodeResult.Rendition> made) {
                    send(WorkerProtocol.stills(id, made));
                }
            }, source);
            send(WorkerProtocol.done(id, result));
        } catch (TranscodeException e) {
            send(WorkerProtocol.failed(id, e.reason(), e.getMessage()));
        } catch (IOException | RuntimeException | Error e) {
            // Jobs run on a thread of their own: an Error must still answer, or the service would wait for it.
            send(WorkerProtocol.failed(id, "transcoder_error", "The transcoder failed: " + e));
        } finally {
            arriving.remove(id);
        }
    }

    private static void crashIfAsked(TranscodeJob job) {
        if (!Boolean.getBoolean("convoy.worker.testHooks")) {
            return;
        }
        try (InputStream in = Files.newInputStream(job.source())) {
            byte[] head = in.readNBytes(CRASH_MARKER.length());
            if (new String(head, StandardCharsets.US_ASCII).equals(CRASH_MARKER)) {
                // What a crafted file does to a decoder: a write through a null pointer, SIGSEGV.
                Field field = Unsafe.class.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                ((Unsafe) field.get(null)).putAddress(0L, 0L);
            }
        } catch (IOException | ReflectiveOperationException ignored) {
            // The pipeline reports unreadable sources itself.
        }
    }

    private synchronized void send(String line) {
        protocol.println(line);
    }
}
