package dev.convoy.ingest.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The token signing secret: configured, or created once under the data dir and reused. */
public final class SigningSecret {

    static final String FILE = "jwt-secret";

    private SigningSecret() {
    }

    public static String loadOrCreate(Path dataDir, String configured) throws IOException {
        if (configured != null) {
            return configured;
        }
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        Files.createDirectories(dataDir);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        Path tmp = Files.createTempFile(dataDir, FILE, ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: the data dir's own permissions protect it.
        }
        Files.writeString(tmp, secret, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            Files.delete(tmp);
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        return secret;
    }
}
