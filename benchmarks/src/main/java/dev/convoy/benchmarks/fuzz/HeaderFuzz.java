package dev.convoy.benchmarks.fuzz;

import dev.convoy.ingest.catalog.ClipsApi;
import dev.convoy.ingest.storage.ContentDisposition;
import dev.convoy.ingest.tus.TusException;
import dev.convoy.ingest.tus.TusHeaders;
import dev.convoy.ingest.upload.UploadMetadata;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Feeds the header and parameter parsers random and mutated input for a while and fails on
 * anything but a refusal: a parser may answer a value or refuse it with its error (a
 * {@link TusException}, or for the API's parameters an {@link IllegalArgumentException}),
 * never throw anything else, which the endpoint would answer with a 500.
 *
 * <p>Usage: {@code HeaderFuzz [seconds=120] [seed=random]}; prints how many inputs each parser
 * took and exits 1 on the first escape, with the input that caused it.
 */
public final class HeaderFuzz {

    private static final Set<String> ALGORITHMS = Set.of("sha1", "sha256", "md5");
    private static final String[] SEEDS = {
        "1.0.0", "0", "1", "100", "9223372036854775807", "-1", "partial", "final;/files/a /files/b",
        "final;https://host/files/0123456789abcdef0123456789abcdef", "filename Y2xpcC5tcDQ=,kind aW5jaWRlbnQ=",
        "recordedAt MjAyNi0xMS0yN1QwODowMDowMFo=,eventOffsetMs MTIwMA==,clientClipId Y2FtLTE=",
        "sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=", "application/offset+octet-stream; charset=binary", "chunked",
        "2026-11-27T08:00:00Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "incident", "ready", "50",
        "../../etc/Überfahrt 東京.mp4", "Upload-Checksum, X-Foo"};
    private static final String ALPHABET = " ,;:=+-_/.\\\"'%~!#$&*()[]{}<>?@^|`\r\n\t\u0000\u007f\u00e9\u2028\u202e\ud83d\ude97"
            + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final Random random;
    private final List<String> pool = new ArrayList<>(List.of(SEEDS));

    private HeaderFuzz(long seed) {
        this.random = new Random(seed);
    }

    public static void main(String[] args) {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : new Random().nextLong();
        System.out.println("header fuzz: " + seconds + " s, seed " + seed);
        System.exit(new HeaderFuzz(seed).run(seconds * 1_000_000_000L) ? 0 : 1);
    }

    private record Target(String name, Consumer<String> parse, Class<? extends RuntimeException> refusal) {
    }

    private boolean run(long nanos) {
        Instant now = Instant.now();
        List<Target> targets = List.of(
                new Target("Tus-Resumable", TusHeaders::requireVersion, TusException.class),
                new Target("Upload-Offset", TusHeaders::uploadOffset, TusException.class),
                new Target("Upload-Length/Defer", v -> TusHeaders.creationLength(v, pick()), TusException.class),
                new Target("Upload-Length on PATCH", TusHeaders::declaredLength, TusException.class),
                new Target("Upload-Concat", TusHeaders::concat, TusException.class),
                new Target("Upload-Metadata", v -> UploadMetadata.parse(TusHeaders.metadata(v, 4096), now), TusException.class),
                new Target("Upload-Checksum", v -> TusHeaders.checksum(v, ALGORITHMS), TusException.class),
                new Target("Trailer", v -> TusHeaders.announcesChecksumTrailer(List.of(v)), TusException.class),
                new Target("Content-Type/Length/TE", v -> {
                    TusHeaders.isOffsetStream(v);
                    TusHeaders.hasBody(v, pick());
                }, TusException.class),
                new Target("Content-Disposition", v -> {
                    String header = ContentDisposition.attachment(ContentDisposition.baseName(v));
                    if (header.chars().anyMatch(c -> c < 0x20 || c >= 0x7f)) {
                        throw new IllegalStateException("a header value with a raw control or non-ASCII character: " + header);
                    }
                }, null),
                new Target("GET /api/clips params", v -> ClipsApi.query(params(v), "owner-1"), IllegalArgumentException.class));
        long[] counts = new long[targets.size()];
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            for (int t = 0; t < targets.size(); t++) {
                Target target = targets.get(t);
                String input = next();
                try {
                    target.parse().accept(input);
                } catch (RuntimeException e) {
                    if (target.refusal() == null || !target.refusal().isInstance(e)) {
                        System.out.println("ESCAPED from " + target.name() + " on " + quoted(input) + ": " + e);
                        e.printStackTrace(System.out);
                        return false;
                    }
                }
                counts[t]++;
            }
        }
        long total = 0;
        for (int t = 0; t < targets.size(); t++) {
            System.out.printf("%-26s %,12d inputs%n", targets.get(t).name(), counts[t]);
            total += counts[t];
        }
        System.out.printf("%-26s %,12d inputs, no exception escaped%n", "all", total);
        return true;
    }

    /** A fresh input: a random string, a mutated seed, or a seed with its base64 parts mutated. */
    private String next() {
        String input = switch (random.nextInt(4)) {
            case 0 -> randomString(random.nextInt(64));
            case 1 -> mutate(pool.get(random.nextInt(pool.size())));
            case 2 -> mutate(mutate(pool.get(random.nextInt(pool.size()))));
            default -> "key " + Base64.getEncoder().encodeToString(randomString(random.nextInt(32)).getBytes(StandardCharsets.UTF_8))
                    + "," + mutate(pool.get(random.nextInt(pool.size())));
        };
        if (random.nextInt(64) == 0 && pool.size() < 4096) {
            pool.add(input);
        }
        return input;
    }

    private String pick() {
        return random.nextInt(3) == 0 ? null : next();
    }

    private MultiMap params(String value) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        for (String name : new String[] {"kind", "event", "device", "status", "from", "to", "limit", "cursor"}) {
            if (random.nextBoolean()) {
                params.add(name, random.nextBoolean() ? value : next());
            }
        }
        return params;
    }

    private String mutate(String seed) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> s.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> {
                    if (at < s.length()) {
                        s.deleteCharAt(at);
                    }
                }
                case 2 -> s.insert(at, SEEDS[random.nextInt(SEEDS.length)]);
                case 3 -> s.insert(at, Long.toString(random.nextLong()));
                default -> s.append(s, 0, Math.min(s.length(), random.nextInt(16)));
            }
        }
        return s.toString();
    }

    private String randomString(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    private static String quoted(String input) {
        return Map.of("input", input).toString().replace("\n", "\\n").replace("\r", "\\r");
    }
}
