package dev.convoy.benchmarks.fleet;

import dev.convoy.ingest.ConvoyConfig;
import dev.convoy.ingest.clip.ClipKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The fleet simulator's options; every flag has a default that runs against a local server. */
public record FleetOptions(String url, String metricsUrl, int cams, Duration duration, Duration clipEvery, Map<ClipKind, Double> mix,
                           NetworkProfile network, Path clipsDir, Path clipCache, Path dataDir, Path tokenFile, Path jsonFile,
                           int chunkBytes, int width, int height, int clipSeconds, List<String> containers, Duration drain,
                           Duration readyTimeout, boolean verify, long seed) {

    /** The containers cameras write: the MP4 a camera closes (index at the end), and the three that can be read from the front. */
    public static final List<String> CONTAINERS = List.of("mp4", "faststart", "fmp4", "ts");

    public static final String USAGE = """
            usage: java -jar convoy-fleet.jar [options]   simulate a fleet of cameras uploading clips
              --url URL              server (default http://localhost:8080)
              --metrics-url URL      its management port, for its heap and backlog (default http://localhost:8081)
              --cams N               virtual cameras (default 50)
              --duration D           how long cameras record, e.g. 90s, 5m (default 1m)
              --clip-every D         mean time between a camera's clips (default 30s)
              --mix K=P,...          share of each kind (default incident=0.2,manual=0.3,drive=0.5)
              --network P            wifi | 4g | lossy | FILE.json (default 4g)
              --clips DIR            H.264 clips to upload (incident*, manual*, drive* by kind; any for all);
                                     default: generated once and kept in --clip-cache
              --clip-cache DIR       where generated clips are kept (default: DATA-DIR/fleet-clips, else the temp dir)
              --data-dir DIR         a local server's data dir: device and owner tokens are minted there
              --token-file FILE      instead: first line an owner token, then one device token per line
              --chunk BYTES          PATCH size (default 1048576)
              --resolution WxH       of generated clips (default 1280x720; bitrate ~2 bits per pixel per second)
              --clip-seconds N       length of every generated clip (default: incident 10, manual 20, drive 60)
              --container C,...      of generated clips: mp4 (index at the end, as a camera closes a file), faststart
                                     (index first), fmp4 (fragmented), ts (MPEG-TS); with several, cameras take them
                                     in turn (default mp4)
              --drain D              after --duration, time allowed to finish uploads (default 2m)
              --ready-timeout D      time allowed for every clip to become ready (default 5m)
              --verify true|false    fetch every original back and compare SHA-256 (default true)
              --json FILE            write the summary as JSON
              --seed N               random seed (default 1)
            """;

    public static FleetOptions parse(List<String> args) {
        Map<String, String> v = ConvoyConfig.parseFlags(args);
        FleetOptions options = new FleetOptions(
                v.getOrDefault("url", "http://localhost:8080").replaceAll("/+$", ""),
                v.getOrDefault("metrics-url", "http://localhost:8081").replaceAll("/+$", ""),
                positive(v, "cams", "50"),
                duration(v, "duration", "1m"),
                duration(v, "clip-every", "30s"),
                mix(v.getOrDefault("mix", "incident=0.2,manual=0.3,drive=0.5")),
                NetworkProfile.parse(v.getOrDefault("network", "4g")),
                path(v, "clips"), path(v, "clip-cache"), path(v, "data-dir"), path(v, "token-file"), path(v, "json"),
                positive(v, "chunk", Integer.toString(1 << 20)),
                resolution(v.getOrDefault("resolution", "1280x720"))[0],
                resolution(v.getOrDefault("resolution", "1280x720"))[1],
                v.containsKey("clip-seconds") ? positive(v, "clip-seconds", "0") : 0,
                containers(v.getOrDefault("container", "mp4")),
                duration(v, "drain", "2m"),
                duration(v, "ready-timeout", "5m"),
                Boolean.parseBoolean(v.getOrDefault("verify", "true")),
                Long.parseLong(v.getOrDefault("seed", "1")));
        for (String known : List.of("url", "metrics-url", "cams", "duration", "clip-every", "mix", "network", "clips", "clip-cache", "data-dir", "token-file",
                "json", "chunk", "resolution", "clip-seconds", "container", "drain", "ready-timeout", "verify", "seed")) {
            v.remove(known);
        }
        if (!v.isEmpty()) {
            throw new IllegalArgumentException("Unknown option --" + v.keySet().iterator().next() + "\n" + USAGE);
        }
        if (options.dataDir() == null && options.tokenFile() == null) {
            throw new IllegalArgumentException("fleet needs tokens: --data-dir of a local server, or --token-file");
        }
        return options;
    }

    /** {@code 90s}, {@code 5m}, {@code 1h} or plain seconds. */
    static Duration parseDuration(String flag, String value) {
        try {
            char unit = value.charAt(value.length() - 1);
            long n = Character.isDigit(unit) ? Long.parseLong(value) : Long.parseLong(value.substring(0, value.length() - 1));
            return switch (Character.isDigit(unit) ? 's' : unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + flag + " must be a duration such as 90s, 5m or 1h, not '" + value + "'");
        }
    }

    private static Duration duration(Map<String, String> v, String flag, String def) {
        return parseDuration(flag, v.getOrDefault(flag, def));
    }

    private static int positive(Map<String, String> v, String flag, String def) {
        String value = v.getOrDefault(flag, def);
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new IllegalArgumentException("--" + flag + " must be a positive whole number, not '" + value + "'");
    }

    private static Path path(Map<String, String> v, String flag) {
        return v.containsKey(flag) ? Path.of(v.get(flag)) : null;
    }

    private static int[] resolution(String value) {
        String[] wh = value.split("x");
        try {
            int w = Integer.parseInt(wh[0]);
            int h = Integer.parseInt(wh[1]);
            if (wh.length == 2 && w >= 64 && h >= 64 && w % 2 == 0 && h % 2 == 0 && w <= 3840 && h <= 2160) {
                return new int[] {w, h};
            }
        } catch (RuntimeException e) {
            // Answered below.
        }
        throw new IllegalArgumentException("--resolution must be WIDTHxHEIGHT, even, from 64x64 to 3840x2160, not '" + value + "'");
    }

    static List<String> containers(String value) {
        List<String> containers = List.of(value.split(",")).stream().map(String::trim).distinct().toList();
        for (String c : containers) {
            if (!CONTAINERS.contains(c)) {
                throw new IllegalArgumentException("--container takes " + String.join(", ", CONTAINERS)
                        + " (one, or several separated by commas), not '" + c + "'");
            }
        }
        return containers;
    }

    static Map<ClipKind, Double> mix(String value) {
        Map<ClipKind, Double> mix = new EnumMap<>(ClipKind.class);
        double total = 0;
        for (String part : value.split(",")) {
            String[] kv = part.trim().split("=");
            ClipKind kind = kv.length == 2 ? ClipKind.fromWire(kv[0]).orElse(null) : null;
            double share;
            try {
                share = kv.length == 2 ? Double.parseDouble(kv[1]) : -1;
            } catch (NumberFormatException e) {
                share = -1;
            }
            if (kind == null || share < 0) {
                throw new IllegalArgumentException("--mix takes KIND=SHARE pairs (incident, manual, drive), e.g. incident=0.2,drive=0.8, not '"
                        + part + "'");
            }
            mix.put(kind, share);
            total += share;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("--mix shares must add up to more than 0");
        }
        for (Map.Entry<ClipKind, Double> e : mix.entrySet()) {
            e.setValue(e.getValue() / total);
        }
        return mix;
    }
}
