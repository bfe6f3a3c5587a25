package dev.convoy.ingest.upload;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads on local disk: {@code {id}.bin} holds the bytes, {@code {id}.json} the state.
 * State files are replaced atomically (write, fsync, rename), so a crash leaves the old
 * or the new state, never half of one.
 */
public final class SpoolStore implements UploadStore, UploadStore.Terminator {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolStore.class);

    private final Vertx vertx;
    private final Path dir;
    private final Map<String, UploadState> states = new ConcurrentHashMap<>();

    private SpoolStore(Vertx vertx, Path dir) {
        this.vertx = vertx;
        this.dir = dir;
    }

    /** Opens the store, loading every upload's state (spool files longer than their state are cut back). */
    public static Future<SpoolStore> open(Vertx vertx, Path dir) {
        SpoolStore store = new SpoolStore(vertx, dir);
        return vertx.executeBlocking(() -> {
            store.load();
            return store;
        }, false);
    }

    private void load() throws IOException {
        Files.createDirectories(dir);
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        }
        for (Path file : files) {
            UploadState state = UploadState.fromJson(new JsonObject(Files.readString(file)));
            Path spool = spool(state.id());
            if (Files.exists(spool) && Files.size(spool) > state.offset()) {
                // Bytes past the acknowledged offset were never confirmed to the client: drop them.
                try (FileChannel ch = FileChannel.open(spool, StandardOpenOption.WRITE)) {
                    ch.truncate(state.offset());
                    ch.force(true);
                }
            }
            states.put(state.id(), state);
        }
        LOG.info("event=spool_loaded dir={} uploads={}", dir, states.size());
    }

    @Override
    public Future<UploadState> create(UploadState upload) {
        return vertx.executeBlocking(() -> {
            Files.deleteIfExists(spool(upload.id()));
            Files.createFile(spool(upload.id()));
            writeState(upload);
            states.put(upload.id(), upload);
            return upload;
        }, false);
    }

    @Override
    public UploadState get(String id) {
        return id == null ? null : states.get(id);
    }

    @Override
    public Future<Appended> append(UploadState upload, ReadStream<Buffer> body, long maxBytes, LongConsumer onBytes) {
        return new SpoolFile(vertx, spool(upload.id())).append(upload.offset(), body, maxBytes, onBytes);
    }

    @Override
    public Future<UploadState> save(UploadState upload) {
        return vertx.executeBlocking(() -> {
            writeState(upload);
            states.put(upload.id(), upload);
            return upload;
        }, false);
    }

    @Override
    public Future<Void> deleteSpool(String id) {
        return vertx.executeBlocking(() -> {
            Files.deleteIfExists(spool(id));
            return null;
        }, false);
    }

    @Override
    public Future<Void> terminate(String id) {
        return vertx.executeBlocking(() -> {
            states.remove(id);
            Files.deleteIfExists(statePath(id));
            Files.deleteIfExists(spool(id));
            return null;
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

    private Path statePath(String id) {
        return dir.resolve(id + ".json");
    }

    private void writeState(UploadState upload) throws IOException {
        Path target = statePath(upload.id());
        Path tmp = dir.resolve(upload.id() + ".json.tmp");
        byte[] bytes = upload.toJson().encode().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
