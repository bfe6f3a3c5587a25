package dev.convoy.transcoder.worker;

import dev.convoy.transcoder.ProbeFacts;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.RenditionSpec.ClipLimits;
import dev.convoy.transcoder.RenditionSpec.PreviewSpec;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The line protocol between the service and a transcode worker process. Each message is
 * one line: a {@link Verb}, then {@code key=value} fields separated by spaces, values URL-encoded.
 * Both sides build and read lines only through this class, so they cannot drift apart.
 *
 * <pre>
 * worker  → ready pid=… encoder=…
 * service → job id=… source=… out=… posterAtMs=… spec… sinks=… [acknowledged=… expected=… stallMs=…]
 * service → more id=… length=… complete=… abandoned=…   (a clip still arriving grew, ended or went away)
 * worker  → probed id=… durationMs=…            (as soon as the clip is probed; 0 while it arrives)
 * worker  → stills id=… r0=… r1=…              (pictures of a clip still arriving, made before its end)
 * worker  → heartbeat frames=…                  (every second, busy or idle)
 * worker  → done id=… facts… r0=… r1=… encoder=… frames=… wallMs=… cpuMs=…
 * worker  → failed id=… reason=… message=…
 * service → quit
 * </pre>
 *
 * <p>A job with {@code acknowledged} is a clip whose upload is still arriving: the worker reads its
 * first {@code acknowledged} bytes and, as {@code more} lines say, what follows, until {@code complete}.
 * A read that waits {@code stallMs} for more gives the worker up: the job fails with
 * {@link TranscodeException#STALLED}. A rendition {@code rN} is {@code role|file|contentType|width|height|videoEncoder|bytes}, whatever
 * sink made it. The service kills a worker for a {@link KillReason}.
 */
public final class WorkerProtocol {

    private WorkerProtocol() {
    }

    /** The first word of a line. */
    public enum Verb {
        /** Worker → service: started, with its pid and H.264 encoder. */
        READY,
        /** Service → worker: transcode this clip. */
        JOB,
        /** Service → worker: the clip being read as it arrives has grown, is complete, or was abandoned. */
        MORE,
        /** Worker → service: the clip was probed; its duration sets the job's deadline. */
        PROBED,
        /** Worker → service: pictures of a clip still arriving, made before its pass ends. */
        STILLS,
        /** Worker → service: alive, with frames decoded of the current job. */
        HEARTBEAT,
        /** Worker → service: the job's result. */
        DONE,
        /** Worker → service: the clip was refused or failed, with a reason. */
        FAILED,
        /** Service → worker: exit. */
        QUIT;

        /** As written on the wire: the name in lowercase. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The verb written as {@code word}, or null for a word that is none. */
        static Verb ofWire(String word) {
            for (Verb verb : values()) {
                if (verb.wireName().equals(word)) {
                    return verb;
                }
            }
            return null;
        }
    }

    /** Why the service killed a worker; what becomes of its job follows from it. */
    public enum KillReason {
        /** The job ran past its deadline: the clip fails with {@code transcode_timeout}, it is not tried again. */
        DEADLINE,
        /** No heartbeat within the timeout: the worker hangs, so the job is retried as after a crash. */
        SILENT,
        /** Its stdin could not be written: the worker is going away, so the job is retried as after a crash. */
        UNWRITABLE;

        /** As written in log lines: the name in lowercase. */
        public String logName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One parsed line. */
    public record Message(Verb verb, Map<String, String> fields) {

        public Message {
            fields = Map.copyOf(fields);
        }

        public String get(String key) {
            String value = fields.get(key);
            if (value == null) {
                throw new IllegalArgumentException("'" + verb.wireName() + "' message lacks " + key);
            }
            return value;
        }

        public String getOrNull(String key) {
            return fields.get(key);
        }

        public long getLong(String key) {
            return Long.parseLong(get(key));
        }
    }

    /** Parses a line; null for a line that is not a protocol message (stray output, an unknown verb). */
    public static Message parse(String line) {
        String[] parts = line.trim().split(" ");
        Verb verb = Verb.ofWire(parts[0]);
        if (verb == null) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                return null;
            }
            fields.put(parts[i].substring(0, eq), URLDecoder.decode(parts[i].substring(eq + 1), StandardCharsets.UTF_8));
        }
        return new Message(verb, fields);
    }

    public static String ready(long pid, String encoder) {
        return line(Verb.READY, fields("pid", pid, "encoder", encoder));
    }

    public static String heartbeat(long frames) {
        return line(Verb.HEARTBEAT, Map.of("frames", frames));
    }

    public static String probed(String id, long durationMs) {
        return line(Verb.PROBED, fields("id", id, "durationMs", durationMs));
    }

    public static String failed(String id, String reason, String message) {
        return line(Verb.FAILED, fields("id", id, "reason", reason, "message", message));
    }

    /** The refusal or failure a {@code failed} message carries. */
    public static TranscodeException failure(Message m) {
        return new TranscodeException(m.get("reason"), m.get("message"));
    }

    public static String quit() {
        return line(Verb.QUIT, Map.of());
    }

    public static String job(String id, TranscodeJob job) {
        return line(Verb.JOB, jobFields(id, job));
    }

    private static Map<String, Object> jobFields(String id, TranscodeJob job) {
        RenditionSpec s = job.spec();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", id);
        f.put("source", job.source());
        f.put("out", job.outputDir());
        f.put("posterAtMs", job.posterAtMs());
        f.put("posterWidth", s.posterWidth());
        f.put("posterQuality", s.posterQuality());
        f.put("thumbWidth", s.thumbWidth());
        f.put("tileWidth", s.tileWidth());
        f.put("maxTiles", s.maxTiles());
        f.put("spriteColumns", s.spriteColumns());
        f.put("storyboardMinMs", s.storyboardMinMs());
        List<String> previews = new ArrayList<>();
        for (PreviewSpec p : s.previews()) {
            previews.add(String.join(":", p.name(), Integer.toString(p.height()), Double.toString(p.maxFps()),
                    Integer.toString(p.videoBitrate()), Integer.toString(p.audioBitrate()), Integer.toString(p.audioChannels())));
        }
        f.put("previews", String.join(",", previews));
        f.put("sinks", String.join(",", s.sinks()));
        ClipLimits l = s.limits();
        f.put("limits", l.maxLongSide() + ":" + l.maxShortSide() + ":" + l.maxDurationMs() + ":" + l.maxFps());
        f.put("threads", s.threads());
        return f;
    }

    /**
     * Where a clip still arriving stands when its job is sent.
     *
     * @param acknowledged bytes its upload has acknowledged
     * @param expected     its declared length, -1 while deferred
     * @param stallMs      how long a read waits for more before the worker is given up
     */
    public record Arriving(long acknowledged, long expected, long stallMs) {
    }

    /** A job over a clip still arriving. */
    public static String job(String id, TranscodeJob job, Arriving arriving) {
        Map<String, Object> f = jobFields(id, job);
        f.put("acknowledged", arriving.acknowledged());
        f.put("expected", arriving.expected());
        f.put("stallMs", arriving.stallMs());
        return line(Verb.JOB, f);
    }

    /** Where the job's clip stood as it was sent, or null for a complete file. */
    public static Arriving arriving(Message m) {
        return m.getOrNull("acknowledged") == null ? null
                : new Arriving(m.getLong("acknowledged"), m.getLong("expected"), m.getLong("stallMs"));
    }

    /** The clip of job {@code id} has {@code length} bytes acknowledged; {@code complete} when that is all. */
    public static String more(String id, long length, boolean complete) {
        return line(Verb.MORE, fields("id", id, "length", length, "complete", complete));
    }

    /** The upload of job {@code id} went away: its pass stops. */
    public static String abandoned(String id) {
        return line(Verb.MORE, fields("id", id, "abandoned", true));
    }

    public static TranscodeJob job(Message m) {
        List<PreviewSpec> previews = new ArrayList<>();
        for (String p : m.get("previews").split(",")) {
            String[] v = p.split(":");
            previews.add(new PreviewSpec(v[0], Integer.parseInt(v[1]), Double.parseDouble(v[2]), Integer.parseInt(v[3]),
                    Integer.parseInt(v[4]), Integer.parseInt(v[5])));
        }
        String sinks = m.get("sinks");
        String[] l = m.get("limits").split(":");
        RenditionSpec spec = new RenditionSpec(
                Integer.parseInt(m.get("posterWidth")), Integer.parseInt(m.get("posterQuality")),
                Integer.parseInt(m.get("thumbWidth")), Integer.parseInt(m.get("tileWidth")),
                Integer.parseInt(m.get("maxTiles")), Integer.parseInt(m.get("spriteColumns")),
                m.getLong("storyboardMinMs"), previews, sinks.isEmpty() ? List.of() : List.of(sinks.split(",")),
                new ClipLimits(Integer.parseInt(l[0]), Integer.parseInt(l[1]), Long.parseLong(l[2]), Double.parseDouble(l[3])),
                Integer.parseInt(m.get("threads")));
        return new TranscodeJob(Path.of(m.get("source")), Path.of(m.get("out")), m.getLong("posterAtMs"), spec);
    }

    public static String done(String id, TranscodeResult r) {
        ProbeFacts p = r.facts();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", id);
        f.put("container", p.container());
        f.put("videoCodec", p.videoCodec());
        f.put("profile", p.profile());
        f.put("width", p.width());
        f.put("height", p.height());
        f.put("rotation", p.rotation());
        f.put("fps", p.fps());
        f.put("variableFps", p.variableFps());
        f.put("durationMs", p.durationMs());
        f.put("bitrate", p.bitrate());
        f.put("hasAudio", p.hasAudio());
        f.put("audioCodec", p.audioCodec());
        f.put("audioChannels", p.audioChannels());
        f.put("creationTime", p.creationTime());
        putRenditions(f, r.renditions());
        f.put("encoder", r.videoEncoder());
        f.put("frames", r.framesDecoded());
        f.put("wallMs", r.wallMs());
        f.put("cpuMs", r.cpuMs());
        return line(Verb.DONE, f);
    }

    public static TranscodeResult result(Message m) {
        ProbeFacts facts = new ProbeFacts(m.get("container"), m.get("videoCodec"), m.getOrNull("profile"),
                Integer.parseInt(m.get("width")), Integer.parseInt(m.get("height")), Integer.parseInt(m.get("rotation")),
                Double.parseDouble(m.get("fps")), Boolean.parseBoolean(m.get("variableFps")), m.getLong("durationMs"),
                m.getLong("bitrate"), Boolean.parseBoolean(m.get("hasAudio")), m.getOrNull("audioCodec"),
                Integer.parseInt(m.get("audioChannels")), m.getOrNull("creationTime"));
        return new TranscodeResult(facts, renditions(m), m.get("encoder"), m.getLong("frames"), m.getLong("wallMs"), m.getLong("cpuMs"));
    }

    /** Pictures of job {@code id}'s clip made before its pass ends. */
    public static String stills(String id, List<Rendition> made) {
        Map<String, Object> f = fields("id", id);
        putRenditions(f, made);
        return line(Verb.STILLS, f);
    }

    /** The renditions a {@code done} or {@code stills} message names. */
    public static List<Rendition> renditions(Message m) {
        List<Rendition> renditions = new ArrayList<>();
        for (int i = 0; m.getOrNull("r" + i) != null; i++) {
            String[] v = m.get("r" + i).split("\\|", -1);
            renditions.add(new Rendition(v[0], Path.of(v[1]), v[2], Integer.parseInt(v[3]), Integer.parseInt(v[4]),
                    v[5].isEmpty() ? null : v[5], Long.parseLong(v[6])));
        }
        return renditions;
    }

    private static void putRenditions(Map<String, Object> f, List<Rendition> renditions) {
        for (int i = 0; i < renditions.size(); i++) {
            Rendition x = renditions.get(i);
            // An empty encoder stands for none: pictures and text have none.
            f.put("r" + i, String.join("|", x.role(), x.file().toString(), x.contentType(),
                    Integer.toString(x.width()), Integer.toString(x.height()),
                    x.videoEncoder() == null ? "" : x.videoEncoder(), Long.toString(x.bytes())));
        }
    }

    /** A message's fields from name, value pairs, in the order given. */
    private static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            f.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return f;
    }

    private static String line(Verb verb, Map<String, ?> fields) {
        StringBuilder out = new StringBuilder(verb.wireName());
        fields.forEach((k, v) -> {
            if (v != null) {
                out.append(' ').append(k).append('=').append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        });
        return out.toString();
    }
}
