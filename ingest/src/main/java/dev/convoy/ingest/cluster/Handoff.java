package dev.convoy.ingest.cluster;

import dev.convoy.ingest.storage.ObjectStore;
import dev.convoy.ingest.tus.UploadService;
import dev.convoy.ingest.tus.UploadState;
import dev.convoy.ingest.upload.SpoolStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unfinished uploads moving between nodes through object storage. A node that stops
 * <em>parks</em> each upload it still has open: its acknowledged bytes, then its state (the
 * record others look for), under {@code uploads/parked/{owner}/{id}}. The next request for
 * it, on any node, <em>adopts</em> it: a write of {@code {id}.claim} that succeeds only if
 * there is none ({@code If-None-Match: *}) decides which node, which then takes the bytes
 * (checked against their SHA-256) into its spool and carries on from the same offset. The
 * claim stays, naming the adopter, so that late requests elsewhere find it.
 */
public final class Handoff {

    private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{32}");
    private static final String PREFIX = "uploads/parked/";
    /** Pages of 1,000 parked keys read by one sweep or one look for handed-off clips. */
    private static final int MAX_PAGES = 100;
    /** Uploads parked at once by a stopping node. */
    private static final int PARKING_LANES = 4;

    /** Where a parked upload stands in object storage. */
    public sealed interface Located {
        /** Parked and not yet adopted: {@code record} holds its state and the SHA-256 of its bytes. */
        record Parked(JsonObject record) implements Located {
        }

        /** Adopted by {@code node}, or being adopted ({@code done} false until its bytes are in its spool). */
        record Claimed(String node, boolean done) implements Located {
        }

        /** Never parked (or long gone). */
        record Nowhere() implements Located {
        }
    }

    private final Vertx vertx;
    private final ObjectStore store;
    private final SpoolStore spool;
    private final UploadService uploads;
    private final String self;
    private final BooleanSupplier draining;
    private final Duration expiry;
    private final Counter parked;
    private final Counter parkFailed;
    private final Counter adopted;
    private final Counter adoptLost;
    /** Adoptions under way on this node: concurrent requests for one upload share one. */
    private final Map<String, Future<Boolean>> adopting = new ConcurrentHashMap<>();

    public Handoff(Vertx vertx, ObjectStore store, SpoolStore spool, UploadService uploads, String self,
                   BooleanSupplier draining, Duration expiry, MeterRegistry registry) {
        this.vertx = vertx;
        this.store = store;
        this.spool = spool;
        this.uploads = uploads;
        this.self = self;
        this.draining = draining;
        this.expiry = expiry;
        this.parked = counter(registry, "parked", "ok");
        this.parkFailed = counter(registry, "parked", "failed");
        this.adopted = counter(registry, "adopted", "ok");
        this.adoptLost = counter(registry, "adopted", "lost");
    }

    private static Counter counter(MeterRegistry registry, String action, String outcome) {
        return Counter.builder("convoy.uploads.handoffs").tag("action", action).tag("outcome", outcome)
                .description("Unfinished uploads parked in object storage by stopping nodes, and adopted by others "
                        + "(lost: another node's claim came first)")
                .register(registry);
    }

    /** Whether {@code id} could name an upload at all (anything else never reaches object storage keys). */
    public static boolean isUploadId(String id) {
        return id != null && UPLOAD_ID.matcher(id).matches();
    }

    private static String key(String owner, String id, String suffix) {
        return PREFIX + owner + "/" + id + suffix;
    }

    /** Where {@code owner}'s upload {@code id} stands in object storage. */
    public Future<Located> locate(Context ctx, String owner, String id) {
        if (!isUploadId(id)) {
            return Future.succeededFuture(new Located.Nowhere());
        }
        return store.getSmall(ctx, key(owner, id, ".claim")).compose(claim -> {
            if (claim != null) {
                JsonObject c = new JsonObject(claim);
                return Future.succeededFuture(new Located.Claimed(c.getString("node"), c.getBoolean("done", false)));
            }
            return store.getSmall(ctx, key(owner, id, ".json")).map(record -> record == null
                    ? new Located.Nowhere() : new Located.Parked(new JsonObject(record)));
        });
    }

    /** Whether this node holds {@code id} as a complete partial upload of {@code owner}'s (a part a final one may join). */
    public boolean isCompletePartOf(String owner, String id) {
        UploadState upload = spool.get(id);
        return upload != null && upload.owner().equals(owner) && upload.isPartial() && upload.isComplete();
    }

    /** Whether this node takes uploads in (a stopping one does not). */
    public boolean adopts() {
        return !draining.getAsBoolean();
    }

    /**
     * Adopts a parked upload, or finishes an adoption this node claimed and did not complete
     * (it stopped midway). Completes with true once the upload is in this node's spool, false
     * when another node claimed it first.
     */
    public Future<Boolean> adopt(Context ctx, String owner, String id) {
        if (!isUploadId(id) || !adopts()) {
            return Future.succeededFuture(false);
        }
        Promise<Boolean> mine = Promise.promise();
        Future<Boolean> running = adopting.putIfAbsent(id, mine.future());
        if (running != null) {
            return running;
        }
        if (uploads.isKept(id)) {
            mine.complete(true);
        } else {
            locate(ctx, owner, id).compose(where -> {
                if (where instanceof Located.Parked p) {
                    return claim(ctx, owner, id).compose(won -> won ? takeIn(ctx, owner, id, p.record())
                            : Future.succeededFuture(false));
                }
                if (where instanceof Located.Claimed c && c.node().equals(self) && !c.done()) {
                    // Claimed here before, and not finished (this node stopped midway): finish it.
                    return store.getSmall(ctx, key(owner, id, ".json")).compose(record -> record == null
                            ? Future.succeededFuture(false) : takeIn(ctx, owner, id, new JsonObject(record)));
                }
                return Future.succeededFuture(false);
            }).onComplete(mine);
        }
        return mine.future().andThen(ar -> {
            adopting.remove(id, mine.future());
            if (ar.succeeded() && !ar.result()) {
                adoptLost.increment();
            }
        });
    }

    private Future<Boolean> claim(Context ctx, String owner, String id) {
        return store.putBytesIfAbsent(ctx, key(owner, id, ".claim"), claimRecord(false), "application/json");
    }

    private byte[] claimRecord(boolean done) {
        return new JsonObject().put("node", self).put("at", Instant.now().toString()).put("done", done).encode()
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Brings a claimed upload's bytes into the spool, checks them, and hands it to the upload service. */
    private Future<Boolean> takeIn(Context ctx, String owner, String id, JsonObject record) {
        UploadState state = UploadState.fromJson(record.getJsonObject("state"));
        if (!state.id().equals(id) || !state.owner().equals(owner)) {
            return Future.failedFuture(new IllegalStateException("parked record " + key(owner, id, ".json") + " names another upload"));
        }
        Path incoming = spool.incoming(id);
        return store.getToFile(ctx, key(owner, id, ".bin"), incoming)
                .compose(found -> {
                    if (!found) {
                        return Future.failedFuture(new IllegalStateException("parked bytes of upload " + id + " are missing"));
                    }
                    return vertx.executeBlocking(() -> sha256(incoming), false);
                })
                .compose(sha -> sha.equals(record.getString("sha256")) ? spool.adopt(state, incoming)
                        : Future.failedFuture(new IllegalStateException("parked bytes of upload " + id
                        + " do not match their SHA-256")))
                .compose(kept -> {
                    uploads.adopted(kept);
                    adopted.increment();
                    LOG.info("event=upload_adopted upload={} offset={} parked_by={}", id, kept.offset(), record.getString("parkedBy"));
                    // Done before the record goes: a record left behind (a failed delete) is never taken in twice.
                    return store.putBytes(ctx, key(owner, id, ".claim"), claimRecord(true), "application/json")
                            .compose(v -> Future.all(store.delete(ctx, key(owner, id, ".json")), store.delete(ctx, key(owner, id, ".bin"))))
                            .recover(err -> {
                                LOG.warn("event=parked_cleanup_failed upload={} cause=\"{}\"", id, err.toString());
                                return Future.succeededFuture();
                            })
                            .map(true);
                })
                .recover(err -> {
                    LOG.warn("event=adoption_failed upload={} cause=\"{}\"", id, err.toString());
                    // Another node may try: the claim goes unless the upload is now kept here.
                    Future<Void> release = uploads.isKept(id) ? Future.succeededFuture() : store.delete(ctx, key(owner, id, ".claim"));
                    return release.transform(ar -> {
                        try {
                            Files.deleteIfExists(incoming);
                        } catch (IOException e) {
                            LOG.warn("event=incoming_cleanup_failed upload={} cause=\"{}\"", id, e.toString());
                        }
                        return Future.failedFuture(err);
                    });
                });
    }

    /**
     * Parks every upload this node still has open, every complete part no final upload has
     * joined, and the complete clips in {@code withdrawn} (taken back from the transcode
     * backlog before they started), a few at a time; completes with how many were parked. An
     * upload that could not be parked stays in the spool as it was, for this node to resume if
     * it comes back.
     */
    public Future<Integer> parkAll(Context ctx, Collection<String> withdrawn) {
        Set<String> handedBack = Set.copyOf(withdrawn);
        List<String> open = spool.all().stream()
                .filter(u -> spool.outcome(u.id()) == null && (handedBack.contains(u.id())
                        || (u.concat() != UploadState.Concat.FINAL && (!u.isComplete() || u.isPartial()))))
                .map(UploadState::id).toList();
        if (open.isEmpty()) {
            return Future.succeededFuture(0);
        }
        LOG.info("event=parking_started uploads={}", open.size());
        int[] count = {0};
        List<Future<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < PARKING_LANES; lane++) {
            Future<Void> chain = Future.succeededFuture();
            for (int i = lane; i < open.size(); i += PARKING_LANES) {
                String id = open.get(i);
                chain = chain.compose(v -> park(ctx, id).map(done -> {
                    count[0] += done ? 1 : 0;
                    return (Void) null;
                }));
            }
            lanes.add(chain);
        }
        return Future.join(lanes).transform(ar -> {
            LOG.info("event=parking_finished parked={} of={}", count[0], open.size());
            return Future.succeededFuture(count[0]);
        });
    }

    /** Parks one upload: its bytes, then its record, then (if this node had adopted it) its old claim goes. */
    public Future<Boolean> park(Context ctx, String id) {
        return uploads.handOff(id, upload -> {
            String owner = upload.owner();
            return spool.acknowledgedBytes(upload)
                    .compose(file -> spool.sha256(upload).compose(sha -> store.putFile(ctx, key(owner, id, ".bin"), file,
                                    ObjectStore.PutOptions.of("application/octet-stream"))
                            .compose(v -> {
                                JsonObject record = new JsonObject().put("state", upload.toJson()).put("sha256", sha)
                                        .put("parkedBy", self).put("parkedAt", Instant.now().toString());
                                return store.putBytes(ctx, key(owner, id, ".json"),
                                        record.encode().getBytes(StandardCharsets.UTF_8), "application/json");
                            })))
                    // The old claim (this node had adopted it) must go for another to adopt it; if it cannot, the
                    // record goes again and the upload stays here, as it was, rather than in two places.
                    .compose(v -> store.delete(ctx, key(owner, id, ".claim"))
                            .recover(err -> store.delete(ctx, key(owner, id, ".json")).transform(ar -> Future.failedFuture(err))))
                    .onSuccess(v -> {
                        parked.increment();
                        LOG.info("event=upload_parked upload={} offset={} length={}", id, upload.offset(), upload.length());
                    });
        }).recover(err -> {
            parkFailed.increment();
            LOG.warn("event=parking_failed upload={} cause=\"{}\"", id, err.toString());
            return Future.succeededFuture(false);
        });
    }

    /**
     * Adopts complete clips that stopping nodes parked (their transcode backlog): no camera will
     * ask for them again, so the nodes look for them. One at a time, each claimed by exactly one
     * node; completes with how many this node took.
     */
    public Future<Integer> adoptHandedOff(Context ctx) {
        if (!adopts()) {
            return Future.succeededFuture(0);
        }
        return eachPage(ctx, null, MAX_PAGES, page -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (String k : page.keys()) {
                String base = k.endsWith(".json") ? k.substring(0, k.length() - ".json".length()) : null;
                if (base == null || page.keys().contains(base + ".claim")) {
                    continue;
                }
                chain = chain.compose(n -> readParked(ctx, k).compose(state -> {
                    if (state == null || !state.isComplete() || state.isPartial() || !adopts()) {
                        return Future.succeededFuture(n);
                    }
                    return adopt(ctx, state.owner(), state.id()).map(took -> took ? n + 1 : n);
                }).recover(err -> {
                    LOG.warn("event=handed_off_adoption_failed key={} cause=\"{}\"", k, err.toString());
                    return Future.succeededFuture(n);
                }));
            }
            return chain;
        });
    }

    /** {@code owner}'s uploads parked and not yet adopted, as they stood when parked. */
    public Future<List<UploadState>> parkedOf(Context ctx, String owner) {
        return store.listKeys(ctx, PREFIX + owner + "/", null, 1000).compose(page -> {
            List<Future<UploadState>> reads = new ArrayList<>();
            for (String k : page.keys()) {
                String id = k.substring(k.lastIndexOf('/') + 1).replace(".json", "");
                if (k.endsWith(".json") && !page.keys().contains(key(owner, id, ".claim"))) {
                    reads.add(readParked(ctx, k));
                }
            }
            return Future.all(reads).map(all -> reads.stream().map(Future::result).filter(u -> u != null).toList());
        });
    }

    /**
     * {@code owner}'s upload {@code id} as it stood when parked, or null when it is not parked;
     * while a node adopts it (its bytes on their way) it is still found here.
     */
    public Future<UploadState> parked(Context ctx, String owner, String id) {
        if (!isUploadId(id)) {
            return Future.succeededFuture(null);
        }
        return readParked(ctx, key(owner, id, ".json"));
    }

    /** The upload state in the parked record at {@code key}, or null when there is none. */
    private Future<UploadState> readParked(Context ctx, String key) {
        return store.getSmall(ctx, key).map(record -> record == null ? null
                : UploadState.fromJson(new JsonObject(record).getJsonObject("state")));
    }

    /** Deletes {@code owner}'s parked upload {@code id} (its clip is being deleted); completes with whether there was one. */
    public Future<Boolean> deleteParked(Context ctx, String owner, String id) {
        if (!isUploadId(id)) {
            return Future.succeededFuture(false);
        }
        return store.getSmall(ctx, key(owner, id, ".json")).compose(record -> record == null ? Future.succeededFuture(false)
                : Future.all(store.delete(ctx, key(owner, id, ".json")), store.delete(ctx, key(owner, id, ".bin")))
                        .compose(v -> store.delete(ctx, key(owner, id, ".claim"))).map(true));
    }

    /**
     * Parked uploads nobody adopted within the upload expiry are deleted, as an open upload
     * would have expired; claims older than that go too. Completes with how many objects went.
     */
    public Future<Integer> sweep(Context ctx) {
        Instant before = Instant.now().minus(expiry);
        return eachPage(ctx, null, MAX_PAGES, page -> {
            List<Future<Integer>> checks = new ArrayList<>();
            for (String k : page.keys()) {
                if (k.endsWith(".json")) {
                    checks.add(readParked(ctx, k).compose(state -> {
                        // A complete clip never expires (its camera was told it arrived): only open uploads and parts do.
                        if (state == null || (state.isComplete() && !state.isPartial()) || !state.updatedAt().isBefore(before)) {
                            return Future.succeededFuture(0);
                        }
                        String base = k.substring(0, k.length() - ".json".length());
                        LOG.info("event=parked_upload_expired key={}", base);
                        return Future.all(store.delete(ctx, k), store.delete(ctx, base + ".bin")).map(2);
                    }));
                } else if (k.endsWith(".claim")) {
                    checks.add(store.getSmall(ctx, k).compose(b -> b == null
                            || !Instant.parse(new JsonObject(b).getString("at")).isBefore(before)
                            ? Future.succeededFuture(0) : store.delete(ctx, k).map(1)));
                }
            }
            return Future.all(checks).map(all -> checks.stream().mapToInt(Future::result).sum());
        });
    }

    /**
     * Runs {@code work} on each page of parked keys, one page after another, at most
     * {@code pagesLeft} pages; completes with the sum of what it returned. Claims stay a while
     * after their adoption, so what is still to do may lie well past the first page.
     */
    private Future<Integer> eachPage(Context ctx, String startAfter, int pagesLeft, Function<ObjectStore.KeyPage, Future<Integer>> work) {
        return store.listKeys(ctx, PREFIX, startAfter, 1000).compose(page -> work.apply(page).compose(n -> {
            if (!page.truncated() || page.keys().isEmpty() || pagesLeft <= 1) {
                return Future.succeededFuture(n);
            }
            return eachPage(ctx, page.keys().get(page.keys().size() - 1), pagesLeft - 1, work).map(m -> n + m);
        }));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
