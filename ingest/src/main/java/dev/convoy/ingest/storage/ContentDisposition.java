package dev.convoy.ingest.storage;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Disposition: attachment} for a download (RFC 6266): the file's base name only,
 * never a path a camera or client put in front of it, as a plain-ASCII {@code filename} every
 * browser reads and, when the name is not plain ASCII, the exact UTF-8 name as {@code filename*}
 * (RFC 8187, formerly 5987).
 */
public final class ContentDisposition {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ContentDisposition() {
    }

    /** The last path segment of {@code name} (either slash), control characters dropped; empty when nothing is left. */
    public static String baseName(String name) {
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        StringBuilder out = new StringBuilder(base.length());
        base.codePoints().filter(c -> !Character.isISOControl(c)).forEach(out::appendCodePoint);
        String cleaned = out.toString().strip();
        return cleaned.equals(".") || cleaned.equals("..") ? "" : cleaned;
    }

    /** The header value for saving as {@code name} (a base name, see {@link #baseName}). */
    public static String attachment(String name) {
        StringBuilder ascii = new StringBuilder(name.length());
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%') {
                ascii.append('_');
                plain = false;
            } else {
                ascii.append(c);
            }
        }
        String header = "attachment; filename=\"" + ascii + "\"";
        return plain ? header : header + "; filename*=UTF-8''" + percentEncoded(name);
    }

    /** RFC 8187 value characters: letters, digits and {@code !#$&+-.^_`|~} as they are, every other byte as %XX. */
    private static String percentEncoded(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
