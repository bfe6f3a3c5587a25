package dev.convoy.ingest.ops;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and folders only the service's own user may read: raw video and upload state must not be
 * readable by every local account. On a file system without POSIX permissions these do nothing;
 * there the data folder's own access rules apply.
 */
public final class OwnerOnly {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] FILE = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];

    private OwnerOnly() {
    }

    /** What to create a file with: {@code rw-------} where the file system has POSIX permissions. */
    public static FileAttribute<?>[] file() {
        return FILE.clone();
    }

    /** Creates {@code dir} (and its parents) if needed and makes it {@code rwx------}. */
    public static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (POSIX) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        return dir;
    }
}
