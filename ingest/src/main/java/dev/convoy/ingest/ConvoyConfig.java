package dev.convoy.ingest;

import dev.convoy.ingest.auth.ClientAddress;
import dev.convoy.ingest.auth.PhoneNumbers;
import dev.convoy.ingest.auth.TextBudget;
import dev.convoy.ingest.clip.Retention;
import dev.convoy.ingest.cluster.Peers;
import dev.convoy.transcoder.RenditionSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * All of Convoy's settings in one place, read from flags ({@code --port 8080} or
 * {@code --port=8080}) and then environment variables ({@code CONVOY_PORT}). The defaults
 * make {@code java -jar convoy.jar serve} work with nothing set.
 */
public record ConvoyConfig(
        String host,
        int port,
        String managementHost,
        int managementPort,
        Path dataDir,
        String s3Endpoint,
        String s3Bucket,
        String s3Region,
        boolean s3PathStyle,
        boolean s3ChecksumWhenRequired,
        long s3PartSize,
        String jwtSecret,
        int transcodeWorkers,
        int transcodeThreads,
        int transcodeQueueLimit,
        Duration transcodeArrivingWait,
        long maxUploadSize,
        Duration idleTimeout,
        Duration drainGrace,
        long minUploadRate,
        Duration presignTtl,
        long eventLoopMaxMs,
        Duration uploadExpiry,
        int maxMetadataBytes,
        int maxUploadsPerDevice,
        int maxDevicesPerOwner,
        int maxHeaderBytes,
        long minFreeSpoolBytes,
        long spoolFloorBytes,
        long maxOwnerBytesInFlight,
        String corsOrigins,
        String trustedProxies,
        Peers peers,
        List<RenditionSpec.PreviewSpec> previews,
        int s3UploadConcurrency,
        Retention retention,
        Duration retentionSweepInterval,
        String phoneRegion,
        String smsSender,
        String smsRegion,
        TextBudget.Limits smsBudget,
        Set<String> operatorPhones) {

    /** One setting: its flag, its environment variable, its default and what it does. */
    public record Setting(String flag, String env, String defaultValue, String description) {
    }

    /** {@link #managementPort()} when {@code /metrics} and the health probes are served on the public port. */
    public static final int MANAGEMENT_ON_PUBLIC_PORT = -1;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    public static final List<Setting> SETTINGS = List.of(
            new Setting("host", "CONVOY_HOST", "0.0.0.0", "Address the HTTP server binds to."),
            new Setting("port", "CONVOY_PORT", "8080", "HTTP port (0 picks a free one)."),
            new Setting("management-port", "CONVOY_MANAGEMENT_PORT", "8081", "Port of /metrics and the /health probes, apart from the API (0 picks a free one); public serves them on --port to anyone who reaches it."),
            new Setting("management-host", "CONVOY_MANAGEMENT_HOST", "127.0.0.1", "Address the management port binds to: this machine only, unless set (0.0.0.0 in Kubernetes, for kubelet probes and Prometheus)."),
            new Setting("data-dir", "CONVOY_DATA_DIR", "./data", "Spool, upload state, signing secret and the embedded object store."),
            new Setting("node-id", "CONVOY_NODE_ID", "", "This node's name among several (in Kubernetes the pod name); upload URLs name it (/files/NODE/ID). Empty: a single node."),
            new Setting("peers", "CONVOY_PEERS", "", "How nodes reach each other: NAME=URL,... or a URL with {node} starting its host (http://{node}.convoy-peers:8080; the host without {node}. names them all). Empty: none."),
            new Setting("s3-endpoint", "CONVOY_S3_ENDPOINT", "", "S3-compatible endpoint URL. Empty: start the embedded S3 store under data/objects."),
            new Setting("s3-bucket", "CONVOY_S3_BUCKET", "convoy", "Bucket for originals, renditions and manifests (created if missing)."),
            new Setting("s3-region", "CONVOY_S3_REGION", "us-east-1", "Region used for signing."),
            new Setting("s3-path-style", "CONVOY_S3_PATH_STYLE", "true", "Path-style addressing (most S3-compatible stores need it)."),
            new Setting("s3-checksum", "CONVOY_S3_CHECKSUM", "when_supported", "when_supported (SDK default trailing checksums) or when_required (older stores such as Ceph RGW 16)."),
            new Setting("s3-part-size", "CONVOY_S3_PART_SIZE", "16777216", "Multipart part size in bytes; originals larger than this go up in parts."),
            new Setting("s3-upload-concurrency", "CONVOY_S3_UPLOAD_CONCURRENCY", "4", "Parts of one original uploaded at once. All parts but the last have exactly the part size (as stores such as R2 require)."),
            new Setting("retention", "CONVOY_RETENTION", "drive=60", "Days clips are kept after upload, by kind (KIND=DAYS, comma-separated); kinds not named are kept forever."),
            new Setting("retention-sweep-interval", "CONVOY_RETENTION_SWEEP_INTERVAL", "3600", "Seconds between sweeps for expired clips, where the store has no lifecycle rules."),
            new Setting("phone-region", "CONVOY_PHONE_REGION", "", "Region (e.g. US) for phone numbers typed without +country code. Empty: numbers need the +."),
            new Setting("sms-sender", "CONVOY_SMS_SENDER", "log", "log (development: sign-in codes go to the log, nothing is texted) or sns (AWS SNS)."),
            new Setting("sms-region", "CONVOY_SMS_REGION", "us-east-1", "AWS region of SNS for --sms-sender sns."),
            new Setting("sms-per-hour", "CONVOY_SMS_PER_HOUR", "1000", "Sign-in texts this node sends in any hour, all countries together; beyond it codes are refused (429 sms_budget_exhausted) and a warning logged."),
            new Setting("sms-per-country-per-hour", "CONVOY_SMS_PER_COUNTRY_PER_HOUR", "200", "Sign-in texts this node sends to one country in any hour; N, then REGION=N for countries with caps of their own (e.g. 200,US=2000)."),
            new Setting("operator-phones", "CONVOY_OPERATOR_PHONES", "", "Phone numbers (comma-separated) whose sign-in opens the operators' page /ops as well as their own clips. Empty: nobody's."),
            new Setting("jwt-secret", "CONVOY_JWT_SECRET", "", "Token signing secret. Empty: created once under the data dir."),
            new Setting("transcode-workers", "CONVOY_TRANSCODE_WORKERS", Integer.toString(Math.min(CORES, 8)), "Clips transcoded at once, a worker process each (a JVM with a 256 MiB heap); 0 makes this process only take uploads."),
            new Setting("transcode-threads", "CONVOY_TRANSCODE_THREADS", Integer.toString(CORES), "Codec threads of a clip transcoded alone; clips transcoded together share them, at least one each."),
            new Setting("previews", "CONVOY_PREVIEWS", "preview=360p@500k", "Preview videos made of every clip, NAME=HEIGHTp@KBITSk, comma-separated; the first is the main one (add preview-480=480p@900k for a 480p one)."),
            new Setting("transcode-queue-limit", "CONVOY_TRANSCODE_QUEUE_LIMIT", "1000", "Clips waiting for a transcode before the service reports not ready."),
            new Setting("transcode-arriving-wait", "CONVOY_TRANSCODE_ARRIVING_WAIT", "10", "Clips in MPEG-TS, Matroska or MP4 with the index first are transcoded while they arrive; a pass waits this many seconds for more bytes before it gives up its worker (it starts again when bytes come). 0: clips are transcoded only once their last byte is in."),
            new Setting("max-upload-size", "CONVOY_MAX_UPLOAD_SIZE", Long.toString(8L << 30), "Largest accepted Upload-Length in bytes (Tus-Max-Size)."),
            new Setting("idle-timeout", "CONVOY_IDLE_TIMEOUT", "60", "Seconds a connection may stall before it is closed (received bytes are kept)."),
            new Setting("drain-grace", "CONVOY_DRAIN_GRACE", "90", "Seconds a stopping node (SIGTERM) gives requests in flight and clips on their way to finish, refusing new uploads (503) and reporting not ready meanwhile."),
            new Setting("min-upload-rate", "CONVOY_MIN_UPLOAD_RATE", "1024", "Bytes per second an upload body must average once it has run for --idle-timeout; slower is cut off like a stall, received bytes kept (0: no minimum)."),
            new Setting("presign-ttl", "CONVOY_PRESIGN_TTL", "3600", "Lifetime in seconds of presigned download URLs."),
            new Setting("upload-expiry", "CONVOY_UPLOAD_EXPIRY", "86400", "Seconds an unfinished upload lives after its last write; then it is deleted (Upload-Expires)."),
            new Setting("max-metadata-bytes", "CONVOY_MAX_METADATA_BYTES", "4096", "Longest accepted Upload-Metadata header."),
            new Setting("max-uploads-per-device", "CONVOY_MAX_UPLOADS_PER_DEVICE", "32", "Unfinished uploads one device may hold at once."),
            new Setting("max-devices-per-owner", "CONVOY_MAX_DEVICES_PER_OWNER", "50", "Devices one owner may have paired and not revoked (409 beyond: revoke one first)."),
            new Setting("max-header-bytes", "CONVOY_MAX_HEADER_BYTES", "16384", "Largest request header block; larger requests get 431."),
            new Setting("min-free-spool-bytes", "CONVOY_MIN_FREE_SPOOL_BYTES", Long.toString(1L << 30), "Below this much free disk under the data dir new uploads are refused (503) and readiness turns false; what started uploads may still write counts as used."),
            new Setting("spool-floor-bytes", "CONVOY_SPOOL_FLOOR_BYTES", Long.toString(256L << 20), "Below this much free disk even uploads already started are refused more bytes (507, Retry-After); what they sent is kept."),
            new Setting("max-owner-bytes-in-flight", "CONVOY_MAX_OWNER_BYTES_IN_FLIGHT", Long.toString(64L << 30), "Bytes one owner's unfinished uploads may still send, all devices together (429 beyond)."),
            new Setting("cors-origins", "CONVOY_CORS_ORIGINS", "*", "Origins browsers may upload from: * or a comma-separated list."),
            new Setting("trusted-proxies", "CONVOY_TRUSTED_PROXIES", "", "Load balancers in front (comma-separated addresses or networks, e.g. 10.0.0.0/8) whose X-Forwarded-For is believed for sign-in limits; empty: none."),
            new Setting("event-loop-max-ms", "CONVOY_EVENT_LOOP_MAX_MS", "2000", "An event-loop task running longer than this is logged as a blocked thread (the tests run with 300)."));

    /** Reads flags first, then the environment, then defaults. */
    public static ConvoyConfig from(List<String> args, Map<String, String> env) {
        Map<String, String> flags = parseFlags(args);
        Map<String, String> v = new LinkedHashMap<>();
        for (Setting s : SETTINGS) {
            String value = flags.containsKey(s.flag()) ? flags.remove(s.flag()) : env.getOrDefault(s.env(), s.defaultValue());
            v.put(s.flag(), value.trim());
        }
        if (!flags.isEmpty()) {
            throw new IllegalArgumentException("Unknown option --" + flags.keySet().iterator().next()
                    + "; known options: " + SETTINGS.stream().map(s -> "--" + s.flag()).toList());
        }
        if (longValue(v, "transcode-workers") < 0) {
            throw new IllegalArgumentException("--transcode-workers must be 0 (this process does not transcode) or more");
        }
        if (longValue(v, "s3-part-size") < (5L << 20) || longValue(v, "s3-part-size") > (5L << 30)) {
            throw new IllegalArgumentException("--s3-part-size must be from 5 MiB (5242880) to 5 GiB, S3's limits for a part");
        }
        if (longValue(v, "s3-upload-concurrency") < 1 || longValue(v, "s3-upload-concurrency") > 64) {
            throw new IllegalArgumentException("--s3-upload-concurrency must be from 1 to 64");
        }
        ClientAddress.trusting(v.get("trusted-proxies"));
        if (longValue(v, "min-upload-rate") < 0) {
            throw new IllegalArgumentException("--min-upload-rate must be 0 or more bytes per second");
        }
        if (longValue(v, "transcode-arriving-wait") < 0) {
            throw new IllegalArgumentException("--transcode-arriving-wait must be 0 (transcode clips once complete) or more seconds");
        }
        if (longValue(v, "retention-sweep-interval") < 1) {
            throw new IllegalArgumentException("--retention-sweep-interval must be at least 1 second");
        }
        int managementPort = managementPort(v.get("management-port"), intValue(v, "port"));
        String checksum = v.get("s3-checksum");
        if (!checksum.equals("when_supported") && !checksum.equals("when_required")) {
            throw new IllegalArgumentException("--s3-checksum must be when_supported or when_required, not " + checksum);
        }
        return new ConvoyConfig(
                v.get("host"),
                intValue(v, "port"),
                v.get("management-host"),
                managementPort,
                Path.of(v.get("data-dir")).toAbsolutePath().normalize(),
                blankToNull(v.get("s3-endpoint")),
                v.get("s3-bucket"),
                v.get("s3-region"),
                Boolean.parseBoolean(v.get("s3-path-style")),
                checksum.equals("when_required"),
                longValue(v, "s3-part-size"),
                blankToNull(v.get("jwt-secret")),
                intValue(v, "transcode-workers"),
                intValue(v, "transcode-threads"),
                intValue(v, "transcode-queue-limit"),
                Duration.ofSeconds(longValue(v, "transcode-arriving-wait")),
                longValue(v, "max-upload-size"),
                Duration.ofSeconds(longValue(v, "idle-timeout")),
                Duration.ofSeconds(longValue(v, "drain-grace")),
                longValue(v, "min-upload-rate"),
                Duration.ofSeconds(longValue(v, "presign-ttl")),
                longValue(v, "event-loop-max-ms"),
                Duration.ofSeconds(longValue(v, "upload-expiry")),
                intValue(v, "max-metadata-bytes"),
                intValue(v, "max-uploads-per-device"),
                intValue(v, "max-devices-per-owner"),
                intValue(v, "max-header-bytes"),
                longValue(v, "min-free-spool-bytes"),
                longValue(v, "spool-floor-bytes"),
                longValue(v, "max-owner-bytes-in-flight"),
                v.get("cors-origins"),
                v.get("trusted-proxies"),
                Peers.parse(v.get("node-id"), v.get("peers")),
                previews(v.get("previews")),
                intValue(v, "s3-upload-concurrency"),
                Retention.parse(v.get("retention")),
                Duration.ofSeconds(longValue(v, "retention-sweep-interval")),
                v.get("phone-region"),
                smsSender(v.get("sms-sender")),
                v.get("sms-region"),
                TextBudget.Limits.parse(v.get("sms-per-hour"), v.get("sms-per-country-per-hour")),
                operatorPhones(v.get("operator-phones"), v.get("phone-region")));
    }

    private static int managementPort(String value, int port) {
        if (value.equals("public")) {
            return MANAGEMENT_ON_PUBLIC_PORT;
        }
        long managementPort;
        try {
            managementPort = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--management-port must be a port number or public, not '" + value + "'");
        }
        if (managementPort < 0 || managementPort > 65_535) {
            throw new IllegalArgumentException("--management-port must be from 0 to 65535, or public");
        }
        if (managementPort != 0 && managementPort == port) {
            throw new IllegalArgumentException("--management-port is --port; to serve /metrics and /health there, say --management-port public");
        }
        return (int) managementPort;
    }

    /** Whether {@code /metrics} and the health probes are served on the public port (asked for with {@code public}). */
    public boolean managementOnPublicPort() {
        return managementPort == MANAGEMENT_ON_PUBLIC_PORT;
    }

    private static String smsSender(String value) {
        if (!value.equals("log") && !value.equals("sns")) {
            throw new IllegalArgumentException("--sms-sender must be log or sns, not '" + value + "'");
        }
        return value;
    }

    /** The operators' numbers in E.164, as sign-in sees them. */
    private static Set<String> operatorPhones(String value, String region) {
        PhoneNumbers phones = new PhoneNumbers(region);
        try {
            return Arrays.stream(value.split(",")).filter(p -> !p.isBlank()).map(p -> phones.toE164(p.strip()))
                    .collect(Collectors.toUnmodifiableSet());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--operator-phones: " + e.getMessage(), e);
        }
    }

    private static List<RenditionSpec.PreviewSpec> previews(String value) {
        try {
            List<RenditionSpec.PreviewSpec> list = Arrays.stream(value.split(","))
                    .filter(p -> !p.isBlank()).map(RenditionSpec.PreviewSpec::parse).toList();
            if (list.isEmpty()) {
                throw new IllegalArgumentException("at least one preview is needed");
            }
            return RenditionSpec.defaults().withPreviews(list).previews();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--previews: " + e.getMessage(), e);
        }
    }

    public boolean embeddedS3() {
        return s3Endpoint == null;
    }

    /** {@code --name value} and {@code --name=value} pairs, in order; anything else is refused with a sentence. */
    public static Map<String, String> parseFlags(List<String> args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + arg + "'; options look like --port 8080");
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                flags.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.size()) {
                flags.put(name, args.get(++i));
            } else {
                throw new IllegalArgumentException("Option --" + name + " needs a value");
            }
        }
        return flags;
    }

    private static int intValue(Map<String, String> v, String name) {
        return (int) longValue(v, name);
    }

    private static long longValue(Map<String, String> v, String name) {
        try {
            return Long.parseLong(v.get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + v.get(name) + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
