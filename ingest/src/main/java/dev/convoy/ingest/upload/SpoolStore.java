package dev.convoy.ingest.upload;

import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.ops.OwnerOnly;
import dev.convoy.ingest.tus.TusException;
import dev.convoy.ingest.tus.UploadState;
import dev.convoy.ingest.tus.UploadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads on local disk: {@code {id}.bin} holds the bytes, {@code {id}.json} the state and
 * {@code {id}.offset} the acknowledged offset. The JSON is replaced atomically (write, fsync,
 * rename, fsync of the folder) when anything but the offset changes; the offset, which
 * changes with every chunk, is a 20-byte checksummed record overwritten in place with one
 * fdatasync. Either way a crash leaves the old or the new value, never half of one. Each
 * upload's SHA-256 is updated as its bytes stream in; only after a restart is it rebuilt by
 * reading the spool once.
 */
public final class SpoolStore implements UploadStore, UploadStore.Terminator, UploadStore.Concatenator {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolStore.class);
    /** tus checksum algorithm names and their JCA names. */
    private static final int OFFSET_RECORD_BYTES = 20;
    private static final Map<String, String> CHECKSUMS = Map.of("sha1", "SHA-1", "sha256", "SHA-256", "md5", "MD5");

    /** A digest of an upload's first {@code bytes} bytes. */
    private static final class RunningDigest {
        final MessageDigest sha256;
        long bytes;

        RunningDigest(MessageDigest sha256, long bytes) {
            this.sha256 = sha256;
            this.bytes = bytes;
        }
    }

    /**
     * Threads for spool I/O, apart from Vert.x's worker pool: a chunk's last write waits for
     * its fdatasync, and hundreds of uploads finishing chunks at once must not starve the
     * other uploads' writes (or anything else on the worker pool) while they wait.
     */
    static final int IO_THREADS = 64;

    private final Vertx vertx;
    private final WorkerExecutor io;
    private final BodyBuffers buffers = BodyBuffers.ofHeap();
    private final Path dir;
    private final long idleTimeoutMs;
    private final long minBytesPerSecond;
    private final Map<String, UploadState> states = new ConcurrentHashMap<>();
    /**
     * The uploads still open, and complete partial uploads no final one has joined: what a new
     * upload's admission weighs. A node's committed history stays out of it.
     */
    private final Map<String, UploadState> unsettled = new ConcurrentHashMap<>();
    private final Map<String, RunningDigest> digests = new ConcurrentHashMap<>();
    /** How each committed clip's path ended, kept with its upload's state. */
    private final Map<String, ClipOutcome> outcomes = new ConcurrentHashMap<>();

    private SpoolStore(Vertx vertx, Path dir, long idleTimeoutMs, long minBytesPerSecond) {
        this.vertx = vertx;
        this.io = vertx.createSharedWorkerExecutor("convoy-spool-io", IO_THREADS);
        this.dir = dir;
        this.idleTimeoutMs = idleTimeoutMs;
        this.minBytesPerSecond = minBytesPerSecond;
    }

    /** Opens the store, loading every upload's state (spool bytes past the acknowledged offset are cut). */
    public static Future<SpoolStore> open(Vertx vertx, Path dir, long idleTimeoutMs) {
        return open(vertx, dir, idleTimeoutMs, 0);
    }

    /**
     * Opens the store; a request body that averages under {@code minBytesPerSecond} once it has
     * run for the idle timeout is cut off like a stalled one (0: no minimum).
     */
    public static Future<SpoolStore> open(Vertx vertx, Path dir, long idleTimeoutMs, long minBytesPerSecond) {
        SpoolStore store = new SpoolStore(vertx, dir, idleTimeoutMs, minBytesPerSecond);
        return store.io.executeBlocking(() -> {
            store.load();
            return store;
        }, false);
    }

    private void load() throws IOException {
        OwnerOnly.directory(dir);
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        }
        for (Path file : files) {
            JsonObject json = new JsonObject(Files.readString(file));
            UploadState state = withSavedOffset(UploadState.fromJson(json));
            ClipOutcome outcome = outcomeOf(json);
            if (outcome != null) {
                outcomes.put(state.id(), outcome);
            }
            Path spool = spool(state.id());
            if (Files.exists(spool) && Files.size(spool) > state.offset()) {
                // Bytes past the acknowledged offset were never confirmed to the client: drop them.
                truncate(spool, state.offset());
            }
            keep(state);
        }
        long unfinished = states.values().stream().filter(u -> !u.isComplete()).count();
        LOG.info("event=spool_loaded dir={} uploads={} unfinished={}", dir, states.size(), unfinished);
    }

    @Override
    public Set<String> checksumAlgorithms() {
        return CHECKSUMS.keySet();
    }

    @Override
    public Future<UploadState> create(UploadState upload) {
        return io.executeBlocking(() -> {
            Files.deleteIfExists(spool(upload.id()));
            Files.createFile(spool(upload.id()), OwnerOnly.file());
            writeOffset(upload);
            writeState(upload);
            keep(upload);
            digests.put(upload.id(), new RunningDigest(sha256(), 0));
            return upload;
        }, false);
    }

    @Override
    public UploadState get(String id) {
        return id == null ? null : states.get(id);
    }

    @Override
    public Future<Appended> append(UploadState upload, ReadStream<Buffer> body, long maxBytes, LongConsumer onBytes,
                                   ChunkCheck checksum) {
        body.pause();
        return runningDigest(upload).compose(running -> {
            // Only a checksummed chunk can be discarded, so only then is the digest's prior state kept.
            MessageDigest before = checksum == null ? null : copy(running.sha256);
            Map<String, MessageDigest> chunk = new HashMap<>();
            if (checksum != null) {
                for (String algorithm : checksum.algorithms()) {
                    chunk.put(algorithm, digest(CHECKSUMS.get(algorithm)));
                }
            }
            return new SpoolFile(vertx, io, buffers, spool(upload.id()), idleTimeoutMs, minBytesPerSecond)
                    .append(upload.offset(), body, maxBytes, buf -> {
                        // Digest the received bytes where they lie: no copy per body piece.
                        for (ByteBuffer view : ((BufferInternal) buf).getByteBuf().nioBuffers()) {
                            running.sha256.update(view.duplicate());
                            for (MessageDigest md : chunk.values()) {
                                md.update(view.duplicate());
                            }
                        }
                    })
                    .compose(w -> {
                        boolean whole = w.interruption() == null && !w.overflow();
                        TusException unresolved = null;
                        boolean mismatch = false;
                        if (checksum != null && whole) {
                            try {
                                ChunkChecksum expected = checksum.resolve();
                                mismatch = !MessageDigest.isEqual(chunk.get(expected.algorithm()).digest(), expected.expected());
                            } catch (TusException e) {
                                unresolved = e;
                            }
                        }
                        // A checksummed chunk is kept whole or not at all.
                        if (checksum == null || (whole && !mismatch && unresolved == null)) {
                            running.bytes = upload.offset() + w.bytes();
                            onBytes.accept(w.bytes());
                            return Future.succeededFuture(new Appended(w.bytes(), w.interruption(), w.overflow(), false, w.stalled()));
                        }
                        digests.put(upload.id(), new RunningDigest(before, upload.offset()));
                        TusException refusal = unresolved;
                        boolean mismatched = mismatch;
                        return io.executeBlocking(() -> {
                            truncate(spool(upload.id()), upload.offset());
                            if (refusal != null) {
                                throw refusal;
                            }
                            return new Appended(0, w.interruption(), w.overflow(), mismatched, w.stalled());
                        }, false);
                    })
                    // A failed write may have digested bytes that were never acknowledged: rebuild on next use.
                    .onFailure(err -> {
                        if (!(err instanceof TusException)) {
                            digests.remove(upload.id());
                        }
                    });
        });
    }

    @Override
    public Future<String> sha256(UploadState upload) {
        return runningDigest(upload).map(running -> HexFormat.of().formatHex(copy(running.sha256).digest()));
    }

    /** The upload's running digest, rebuilt from the spool when the process restarted since its last byte. */
    private Future<RunningDigest> runningDigest(UploadState upload) {
        RunningDigest running = digests.get(upload.id());
        if (running != null && running.bytes == upload.offset()) {
            return Future.succeededFuture(running);
        }
        return io.executeBlocking(() -> {
            MessageDigest md = sha256();
            hashInto(spool(upload.id()), upload.offset(), md, null);
            RunningDigest rebuilt = new RunningDigest(md, upload.offset());
            digests.put(upload.id(), rebuilt);
            return rebuilt;
        }, false);
    }

    @Override
    public Future<String> concatenate(UploadState finalUpload, List<UploadState> parts) {
        return io.executeBlocking(() -> {
            MessageDigest md = sha256();
            Path target = spool(finalUpload.id());
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (UploadState part : parts) {
                    hashInto(spool(part.id()), part.offset(), md, out);
                }
                out.force(true);
            }
            long total = parts.stream().mapToLong(UploadState::offset).sum();
            digests.put(finalUpload.id(), new RunningDigest(copy(md), total));
            return HexFormat.of().formatHex(md.digest());
        }, false);
    }

    @Override
    public Future<UploadState> save(UploadState upload) {
        return io.executeBlocking(() -> {
            UploadState previous = states.get(upload.id());
            if (previous == null || !onlyOffsetMoved(previous, upload)) {
                writeState(upload);
            }
            writeOffset(upload);
            keep(upload);
            return upload;
        }, false);
    }

    private static boolean onlyOffsetMoved(UploadState before, UploadState after) {
        return before.length() == after.length() && Objects.equals(before.sha256(), after.sha256());
    }

    /** Records how a clip's path ended (with its state, atomically); the upload itself is unchanged. */
    public Future<Void> saveOutcome(String id, ClipOutcome outcome) {
        return io.executeBlocking(() -> {
            UploadState upload = states.get(id);
            if (upload != null) {
                outcomes.put(id, outcome);
                writeState(upload);
            }
            return null;
        }, false);
    }

    /** How the clip of an upload ended, or null while it is on its way. */
    public ClipOutcome outcome(String id) {
        return outcomes.get(id);
    }

    /** The outcome in a state file; files written before outcomes were kept apart say it as the upload's status. */
    private static ClipOutcome outcomeOf(JsonObject json) {
        JsonObject outcome = json.getJsonObject("outcome");
        if (outcome != null) {
            return new ClipOutcome(ClipStatus.fromWire(outcome.getString("status")), outcome.getString("reason"));
        }
        String status = json.getString("status");
        if (status != null && ClipStatus.fromWire(status).isFinal()) {
            return new ClipOutcome(ClipStatus.fromWire(status), json.getString("failureReason"));
        }
        return null;
    }

    @Override
    public Future<Void> deleteSpool(String id) {
        digests.remove(id);
        return io.executeBlocking(() -> {
            Files.deleteIfExists(spool(id));
            return null;
        }, false);
    }

    @Override
    public Future<Void> terminate(String id) {
        return io.executeBlocking(() -> {
            states.remove(id);
            unsettled.remove(id);
            digests.remove(id);
            outcomes.remove(id);
            Files.deleteIfExists(statePath(id));
            Files.deleteIfExists(offsetPath(id));
            Files.deleteIfExists(spool(id));
            return null;
        }, false);
    }

    /**
     * Takes in an upload that another node handed off: {@code bytes} (in this store's folder,
     * exactly the upload's acknowledged bytes) becomes its spool, and its state is written as
     * if it had been uploaded here. Fails if the store already has an upload with its id.
     */
    public Future<UploadState> adopt(UploadState upload, Path bytes) {
        return io.executeBlocking(() -> {
            if (states.containsKey(upload.id())) {
                throw new IllegalStateException("upload " + upload.id() + " is already kept here");
            }
            if (Files.size(bytes) != upload.offset()) {
                throw new IOException("handed-off bytes are " + Files.size(bytes) + ", not the acknowledged " + upload.offset());
            }
            try (FileChannel ch = FileChannel.open(bytes, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(bytes, spool(upload.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            writeOffset(upload);
            writeState(upload);
            keep(upload);
            return upload;
        }, false);
    }

    /** Where bytes being handed to this node are put while they arrive (in the spool's folder, so they move in atomically). */
    public Path incoming(String id) {
        return dir.resolve(id + ".incoming");
    }

    /** Cuts the upload's spool to its acknowledged bytes (a node handing it off sends exactly those). */
    public Future<Path> acknowledgedBytes(UploadState upload) {
        return io.executeBlocking(() -> {
            Path spool = spool(upload.id());
            if (Files.size(spool) > upload.offset()) {
                truncate(spool, upload.offset());
            }
            return spool;
        }, false);
    }

    @Override
    public Path spool(String id) {
        return dir.resolve(id + ".bin");
    }

    @Override
    public Collection<UploadState> all() {
        return List.copyOf(states.values());
    }

    /** The uploads still open, and complete partial uploads no final one has joined yet. */
    public Collection<UploadState> unsettled() {
        return List.copyOf(unsettled.values());
    }

    /** Records an upload's current state in memory (its file is written by the caller). */
    private void keep(UploadState upload) {
        states.put(upload.id(), upload);
        if (!upload.isComplete() || upload.isPartial()) {
            unsettled.put(upload.id(), upload);
        } else {
            unsettled.remove(upload.id());
        }
    }

    private Path statePath(String id) {
        return dir.resolve(id + ".json");
    }

    private Path offsetPath(String id) {
        return dir.resolve(id + ".offset");
    }

    /** offset (8 bytes), last write in epoch ms (8), CRC32 of those 16 (4): small enough to land in one sector. */
    private void writeOffset(UploadState upload) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(OFFSET_RECORD_BYTES);
        record.putLong(upload.offset()).putLong(upload.updatedAt().toEpochMilli());
        CRC32 crc = new CRC32();
        crc.update(record.array(), 0, 16);
        record.putInt((int) crc.getValue()).flip();
        Path path = offsetPath(upload.id());
        boolean created = !Files.exists(path);
        try (FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OwnerOnly.file())) {
            while (record.hasRemaining()) {
                ch.write(record, record.position());
            }
            ch.force(false);
        }
        if (created) {
            fsyncDir();
        }
    }

    /** The state with the offset and last-write time from its offset record, when that record is intact. */
    private UploadState withSavedOffset(UploadState state) throws IOException {
        Path path = offsetPath(state.id());
        if (!Files.exists(path) || Files.size(path) < OFFSET_RECORD_BYTES) {
            return state;
        }
        ByteBuffer record = ByteBuffer.wrap(Files.readAllBytes(path));
        CRC32 crc = new CRC32();
        crc.update(record.array(), 0, 16);
        long offset = record.getLong();
        long updatedMs = record.getLong();
        if ((int) crc.getValue() != record.getInt() || offset < 0 || (state.length() >= 0 && offset > state.length())) {
            LOG.warn("event=offset_record_invalid upload={} using=state_file", state.id());
            return state;
        }
        return state.restored(offset, Instant.ofEpochMilli(updatedMs));
    }

    private void fsyncDir() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void writeState(UploadState upload) throws IOException {
        Path target = statePath(upload.id());
        Path tmp = dir.resolve(upload.id() + ".json.tmp");
        JsonObject json = upload.toJson();
        ClipOutcome outcome = outcomes.get(upload.id());
        if (outcome != null) {
            json.put("outcome", new JsonObject().put("status", outcome.status().wireName()).put("reason", outcome.failureReason()));
        }
        byte[] bytes = json.encode().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), OwnerOnly.file())) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The rename itself is durable only once the folder is.
        fsyncDir();
    }

    private static void truncate(Path spool, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(spool, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        }
    }

    /** Reads the first {@code length} bytes of {@code file} into {@code md}, copying them to {@code out} if given. */
    private static void hashInto(Path file, long length, MessageDigest md, FileChannel out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long left = length;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException(file + " is shorter than its acknowledged " + length + " bytes");
                }
                buf.flip();
                md.update(buf.duplicate());
                if (out != null) {
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                }
                left -= n;
            }
        }
    }

    private static MessageDigest sha256() {
        return digest("SHA-256");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
        }
    }

    private static MessageDigest copy(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
        }
    }
}
