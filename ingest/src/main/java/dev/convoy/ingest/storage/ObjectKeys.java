package dev.convoy.ingest.storage;

/** Where a clip's objects live in the bucket: everything under {@code clips/{owner}/{clipId}/}. */
public final class ObjectKeys {

    public static final String MANIFEST = "manifest.json";

    private ObjectKeys() {
    }

    public static String prefix(String owner, String clipId) {
        return "clips/" + owner + "/" + clipId + "/";
    }

    public static String original(String owner, String clipId, String extension) {
        return prefix(owner, clipId) + "original." + extension;
    }

    public static String of(String owner, String clipId, String name) {
        return prefix(owner, clipId) + name;
    }

    public static String contentTypeOf(String extension) {
        return switch (extension) {
            case "mp4", "m4v" -> "video/mp4";
            case "mov" -> "video/quicktime";
            case "ts" -> "video/mp2t";
            case "mkv" -> "video/x-matroska";
            case "webm" -> "video/webm";
            default -> "application/octet-stream";
        };
    }
}
