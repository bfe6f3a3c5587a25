package dev.convoy.ingest.ops;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A log message with its control characters escaped ({@code \n} as the two characters
 * {@code \\n}, others as {@code \\u00XX}), so that a value a client sent (a token's header, a
 * clip id, a file name) can never start a line of its own that looks like the server's. It is
 * the {@code %msg} of {@code logback.xml}: every logged value passes through it.
 */
public final class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return escape(super.convert(event));
    }

    /** {@code text} with every control character (and the Unicode line separators) escaped. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = replacement(c);
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    private static String replacement(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
                return control ? String.format("\\u%04x", (int) c) : null;
        }
    }
}
